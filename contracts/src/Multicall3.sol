// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title Multicall3
/// @notice Batches read calls in one `eth_call`, with the interface of the Multicall3 contract found at
/// 0xcA11bde05977b3631167028862bE2a173976CA11 on public chains. x402 facilitators read token balances and
/// authorization states through it; a fresh local chain lacks it, so the deployer plants this contract's
/// runtime code at that address (src/chain/deploy.ts). It holds no state and no funds: value sent along is
/// forwarded to the calls that name it and must add up exactly.
contract Multicall3 {
    struct Call {
        address target;
        bytes callData;
    }

    struct Call3 {
        address target;
        bool allowFailure;
        bytes callData;
    }

    struct Call3Value {
        address target;
        bool allowFailure;
        uint256 value;
        bytes callData;
    }

    struct Result {
        bool success;
        bytes returnData;
    }

    /// @notice A call that was not allowed to fail reverted.
    error Multicall3CallFailed(uint256 index, bytes returnData);
    /// @notice The value sent is not the sum of the values the calls name.
    error Multicall3ValueMismatch(uint256 sent, uint256 named);

    /// @notice Runs every call; reverts if any fails. Returns the block number and each call's return data.
    function aggregate(Call[] calldata calls)
        external
        payable
        returns (uint256 blockNumber, bytes[] memory returnData)
    {
        blockNumber = block.number;
        returnData = new bytes[](calls.length);
        for (uint256 i = 0; i < calls.length; i++) {
            (bool success, bytes memory data) = calls[i].target.call(calls[i].callData);
            if (!success) revert Multicall3CallFailed(i, data);
            returnData[i] = data;
        }
    }

    /// @notice Runs every call; with `requireSuccess`, reverts if any fails, otherwise reports each outcome.
    function tryAggregate(bool requireSuccess, Call[] calldata calls)
        public
        payable
        returns (Result[] memory returnData)
    {
        returnData = new Result[](calls.length);
        for (uint256 i = 0; i < calls.length; i++) {
            (bool success, bytes memory data) = calls[i].target.call(calls[i].callData);
            if (requireSuccess && !success) revert Multicall3CallFailed(i, data);
            returnData[i] = Result(success, data);
        }
    }

    /// @notice `tryAggregate` with the block number and hash it ran at.
    function tryBlockAndAggregate(bool requireSuccess, Call[] calldata calls)
        public
        payable
        returns (uint256 blockNumber, bytes32 blockHash, Result[] memory returnData)
    {
        blockNumber = block.number;
        blockHash = blockhash(block.number);
        returnData = tryAggregate(requireSuccess, calls);
    }

    /// @notice `tryBlockAndAggregate` requiring every call to succeed.
    function blockAndAggregate(Call[] calldata calls)
        external
        payable
        returns (uint256 blockNumber, bytes32 blockHash, Result[] memory returnData)
    {
        (blockNumber, blockHash, returnData) = tryBlockAndAggregate(true, calls);
    }

    /// @notice Runs every call; each says whether it may fail.
    function aggregate3(Call3[] calldata calls) external payable returns (Result[] memory returnData) {
        returnData = new Result[](calls.length);
        for (uint256 i = 0; i < calls.length; i++) {
            (bool success, bytes memory data) = calls[i].target.call(calls[i].callData);
            if (!calls[i].allowFailure && !success) revert Multicall3CallFailed(i, data);
            returnData[i] = Result(success, data);
        }
    }

    /// @notice `aggregate3` with a value per call; the value sent must be their exact sum.
    function aggregate3Value(Call3Value[] calldata calls) external payable returns (Result[] memory returnData) {
        uint256 named = 0;
        returnData = new Result[](calls.length);
        for (uint256 i = 0; i < calls.length; i++) {
            named += calls[i].value;
            (bool success, bytes memory data) = calls[i].target.call{value: calls[i].value}(calls[i].callData);
            if (!calls[i].allowFailure && !success) revert Multicall3CallFailed(i, data);
            returnData[i] = Result(success, data);
        }
        if (msg.value != named) revert Multicall3ValueMismatch(msg.value, named);
    }

    /// @notice The ether balance of `addr`.
    function getEthBalance(address addr) external view returns (uint256 balance) {
        balance = addr.balance;
    }

    function getBlockHash(uint256 blockNumber) external view returns (bytes32 blockHash) {
        blockHash = blockhash(blockNumber);
    }

    function getBlockNumber() external view returns (uint256 blockNumber) {
        blockNumber = block.number;
    }

    function getCurrentBlockCoinbase() external view returns (address coinbase) {
        coinbase = block.coinbase;
    }

    function getCurrentBlockGasLimit() external view returns (uint256 gaslimit) {
        gaslimit = block.gaslimit;
    }

    function getCurrentBlockTimestamp() external view returns (uint256 timestamp) {
        timestamp = block.timestamp;
    }

    function getLastBlockHash() external view returns (bytes32 blockHash) {
        blockHash = blockhash(block.number - 1);
    }

    function getBasefee() external view returns (uint256 basefee) {
        basefee = block.basefee;
    }

    function getChainId() external view returns (uint256 chainid) {
        chainid = block.chainid;
    }
}
