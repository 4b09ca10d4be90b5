package dev.convj.onnx.imports;

import ai.onnx.proto.OnnxMl.NodeProto;

/** How error messages name a node. */
final class Nodes {
    private Nodes() {}

    static String describe(NodeProto node) {
        String name = node.getName().isEmpty() ? "producing '" + (node.getOutputCount() > 0 ? node.getOutput(0) : "?")
                + "'" : "'" + node.getName() + "'";
        return "node " + name + " (" + node.getOpType() + ")";
    }
}
