// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IModelRegistry} from "../../src/interfaces/IModelRegistry.sol";

/// @title Shapes
/// @notice Model shapes for tests that publish models without playing disputes on them.
library Shapes {
    /// @notice No shape: what a model published without a weight commitment carries.
    function none() internal pure returns (IModelRegistry.Shape memory s) {}

    /// @notice One dense layer of 2 outputs over 2 inputs (rows 0 and 1, then its parameter leaf).
    function dense2() internal pure returns (IModelRegistry.Shape memory s) {
        s.inputSize = 2;
        s.rowCount = 2;
        s.layers = new IModelRegistry.LayerShape[](1);
        s.layers[0] = IModelRegistry.LayerShape({outSize: 2, inputA: 0, inputB: 0, fanIn: 2, rowLength: 2, rowStart: 0});
    }
}
