// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title IModelRegistry
/// @notice Models published by content hash, with a weight commitment, an owner and a royalty.
/// @dev modelId = keccak256(abi.encode(publisher, contentHash)). Binding the publisher into the
///      id means nobody can front-run a publication and squat someone else's content hash; the
///      id stays the same after `transfer`, so vouchers and prices keyed by it remain valid.
///      Royalty changes: a decrease applies at once; an increase is announced and applies only
///      `royaltyNotice` seconds later (TrellisParams), a notice longer than the escrow's
///      withdrawal notice. Vouchers carry no royalty, so without the notice a model owner could
///      raise the royalty just before a redemption and take the provider's share of work already
///      done; with it, a provider redeeming within the withdrawal notice is paid at the royalty
///      announced when the work was done.
interface IModelRegistry {
    /// @notice Everything the registry knows about one model.
    /// @dev `royaltyBps` is the royalty in force; `pendingRoyaltyBps` is an announced increase
    ///      that applies from `royaltyEffectiveAt` (both zero when none is pending). Views return
    ///      the record as of now: an increase whose time has come is already in `royaltyBps`.
    struct Model {
        address owner;
        uint16 royaltyBps;
        bool deprecated;
        uint16 pendingRoyaltyBps;
        uint40 royaltyEffectiveAt;
        bytes32 contentHash;
        bytes32 weightCommitment;
        string metadataURI;
    }

    /// @notice One layer as the dispute game sees it, fixed at publication next to the weight
    ///         commitment (docs/engine-spec.md, section 6): tensor numbers are 1-based layer
    ///         outputs, 0 the input.
    struct LayerShape {
        /// @dev Elements of the layer's output tensor.
        uint32 outSize;
        /// @dev Tensors the layer reads (inputB only for add, else 0).
        uint32 inputA;
        uint32 inputB;
        /// @dev Elements of input A one output element reads (dense K, conv C/g*kh*kw, pool kh*kw, else 1).
        uint32 fanIn;
        /// @dev Weights per row (dense and conv), else 0.
        uint32 rowLength;
        /// @dev Leaf index of the layer's first weight row in the commitment tree.
        uint32 rowStart;
    }

    /// @notice The shape of a model's weight commitment and trace: the commitment tree has
    ///         `rowCount + layers.length` leaves (rows, then one parameter leaf per layer), so
    ///         every leaf has one fixed position and depth.
    struct Shape {
        uint32 inputSize;
        uint32 rowCount;
        LayerShape[] layers;
    }

    // ------------------------------------------------------------------ errors

    /// @notice The content hash must be non-zero.
    error ModelEmptyContentHash();
    /// @notice This publisher already published this content hash.
    error ModelAlreadyPublished(bytes32 modelId);
    /// @notice No model has this id.
    error ModelUnknown(bytes32 modelId);
    /// @notice The caller is not the model's owner.
    error ModelNotOwner(bytes32 modelId, address owner, address caller);
    /// @notice The royalty is above the cap in TrellisParams.
    error ModelRoyaltyTooHigh(uint256 royaltyBps, uint256 royaltyCapBps);
    /// @notice The weight commitment is already set and cannot change.
    error ModelCommitmentAlreadySet(bytes32 modelId, bytes32 weightCommitment);
    /// @notice A zero weight commitment cannot be set (zero means "unset").
    error ModelEmptyCommitment();
    /// @notice The model was already deprecated.
    error ModelAlreadyDeprecated(bytes32 modelId);
    /// @notice Ownership cannot go to the zero address.
    error ModelZeroOwner();
    /// @notice A commitment must come with the shape of its tree, and no shape without one.
    error ModelShapeMissing(bytes32 modelId);
    /// @notice A field of the shape is out of range (`layer` 0 for model-wide fields).
    error ModelShapeInvalid(uint256 layer, bytes32 field, uint256 value);
    /// @notice Re-executing one element of `layer` in a dispute would need more calldata words
    ///         than a move may carry.
    error ModelStepTooLarge(uint256 layer, uint256 words, uint256 maxWords);

    // ------------------------------------------------------------------ events

    /// @notice A model was published; carries everything an indexer needs to list it.
    event ModelPublished(
        bytes32 indexed modelId,
        address indexed owner,
        bytes32 indexed contentHash,
        bytes32 weightCommitment,
        string metadataURI,
        uint16 royaltyBps
    );
    /// @notice The model's weight commitment was set (once).
    event WeightCommitmentSet(bytes32 indexed modelId, bytes32 weightCommitment);
    /// @notice The shape bound to the weight commitment was recorded (with it, once).
    event ModelShapeSet(bytes32 indexed modelId, uint32 inputSize, uint32 rowCount, uint256 layerCount);
    /// @notice The model's royalty changed, effective in this block (a decrease, or an equal
    ///         value that cancels a pending increase). Any pending increase is dropped.
    event RoyaltySet(bytes32 indexed modelId, uint16 oldRoyaltyBps, uint16 newRoyaltyBps);
    /// @notice A royalty increase was announced: redemptions from `effectiveAt` on pay
    ///         `newRoyaltyBps`, earlier ones `currentRoyaltyBps`. Replaces any earlier pending
    ///         increase of the same model. No further event marks the moment it takes effect.
    event RoyaltyIncreaseScheduled(
        bytes32 indexed modelId, uint16 currentRoyaltyBps, uint16 newRoyaltyBps, uint64 effectiveAt
    );
    /// @notice A pending royalty increase was dropped before taking effect (by a `setRoyalty`
    ///         not above the royalty in force; the matching `RoyaltySet` follows).
    event RoyaltyIncreaseCancelled(bytes32 indexed modelId, uint16 cancelledRoyaltyBps);
    /// @notice The model changed owner; royalties earned from now on go to `newOwner`.
    event ModelTransferred(bytes32 indexed modelId, address indexed oldOwner, address indexed newOwner);
    /// @notice The model was deprecated (irreversible; existing vouchers stay redeemable).
    event ModelDeprecated(bytes32 indexed modelId);

    // ------------------------------------------------------------------ writes

    /// @notice Publishes a model owned by the caller.
    /// @param contentHash Hash of the model file (non-zero).
    /// @param weightCommitment Commitment to the weights used by verification; zero leaves it
    ///        unset, to be set once later with `setWeightCommitment`.
    /// @param shape The commitment tree's shape (checked: sizes, positions, and that every
    ///        dispute move fits the step bound); empty layers exactly when the commitment is zero.
    /// @param metadataURI Where the model's description lives (free-form).
    /// @param royaltyBps Royalty on every redemption for this model, at most the royalty cap.
    /// @return modelId keccak256(abi.encode(msg.sender, contentHash)).
    function publish(
        bytes32 contentHash,
        bytes32 weightCommitment,
        Shape calldata shape,
        string calldata metadataURI,
        uint16 royaltyBps
    ) external returns (bytes32 modelId);

    /// @notice Sets the weight commitment and its shape of a model that has none yet. Once set
    ///         they never change, so receipts and disputes that refer to them stay meaningful.
    /// @param modelId The model (caller must own it).
    /// @param weightCommitment Non-zero commitment.
    /// @param shape Its tree's shape, checked as in `publish`.
    function setWeightCommitment(bytes32 modelId, bytes32 weightCommitment, Shape calldata shape) external;

    /// @notice Changes the model's royalty. A value not above the royalty in force applies to
    ///         redemptions at once and cancels any pending increase; a higher value is scheduled
    ///         to apply `royaltyNotice` seconds from now (TrellisParams), replacing any pending
    ///         increase.
    /// @param modelId The model (caller must own it).
    /// @param royaltyBps At most the royalty cap in TrellisParams.
    function setRoyalty(bytes32 modelId, uint16 royaltyBps) external;

    /// @notice Hands the model to a new owner (one step).
    /// @param modelId The model (caller must own it).
    /// @param newOwner Non-zero address.
    function transfer(bytes32 modelId, address newOwner) external;

    /// @notice Marks the model deprecated. Irreversible. Vouchers for it remain redeemable,
    ///         because the work they pay for was already done.
    /// @param modelId The model (caller must own it).
    function deprecate(bytes32 modelId) external;

    // ------------------------------------------------------------------ views

    /// @notice The id `publisher` gets for `contentHash`.
    function modelIdOf(address publisher, bytes32 contentHash) external pure returns (bytes32);
    /// @notice Full record of a model (all zero for an unknown id).
    function getModel(bytes32 modelId) external view returns (Model memory);
    /// @notice Owner of a model, or zero for an unknown id.
    function ownerOf(bytes32 modelId) external view returns (address);
    /// @notice Royalty in force for a model, in basis points (zero for an unknown id).
    function royaltyBpsOf(bytes32 modelId) external view returns (uint16);
    /// @notice The announced royalty increase not yet in force, or (0, 0) when there is none.
    function pendingRoyalty(bytes32 modelId) external view returns (uint16 royaltyBps, uint64 effectiveAt);
    /// @notice Weight commitment of a model (zero when unset or unknown).
    function weightCommitmentOf(bytes32 modelId) external view returns (bytes32);
    /// @notice The shape recorded with the commitment (empty when unset).
    function shapeOf(bytes32 modelId) external view returns (Shape memory);
    /// @notice The model-wide part of the shape, in one cheap read.
    function shapeSummary(bytes32 modelId) external view returns (uint32 inputSize, uint32 rowCount, uint256 layerCount);
    /// @notice The shape of layer `layer` (1-based).
    function layerShape(bytes32 modelId, uint256 layer) external view returns (LayerShape memory);
    /// @notice Most calldata words one dispute step may carry (the bound `publish` checks).
    function maxStepWords() external view returns (uint256);
    /// @notice Whether the model is deprecated.
    function isDeprecated(bytes32 modelId) external view returns (bool);
    /// @notice Owner and royalty in force in one call, as the escrow needs them.
    function royaltyInfo(bytes32 modelId) external view returns (address owner, uint16 royaltyBps);
}
