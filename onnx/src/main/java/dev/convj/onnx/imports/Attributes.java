package dev.convj.onnx.imports;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import dev.convj.onnx.OnnxFormatException;
import java.util.List;

/** A node's attributes by name, with ONNX's defaults where the attribute is absent. */
final class Attributes {
    private Attributes() {}

    static AttributeProto find(NodeProto node, String name) {
        for (AttributeProto a : node.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a;
            }
        }
        return null;
    }

    static long integer(NodeProto node, String name, long otherwise) {
        AttributeProto a = find(node, name);
        return a == null ? otherwise : a.getI();
    }

    static double real(NodeProto node, String name, double otherwise) {
        AttributeProto a = find(node, name);
        // A float attribute as written (0.2, not 0.20000000298023224), so that network descriptions read well.
        return a == null ? otherwise : Double.parseDouble(Float.toString(a.getF()));
    }

    static String text(NodeProto node, String name, String otherwise) {
        AttributeProto a = find(node, name);
        return a == null ? otherwise : a.getS().toStringUtf8();
    }

    /** An integer list attribute, or {@code otherwise} (may be null) when absent. */
    static List<Integer> integers(NodeProto node, String name, List<Integer> otherwise) {
        AttributeProto a = find(node, name);
        if (a == null) {
            return otherwise;
        }
        return a.getIntsList().stream().map(l -> {
            if (l > Integer.MAX_VALUE || l < Integer.MIN_VALUE) {
                throw new OnnxFormatException(Nodes.describe(node) + ": attribute " + name + " holds " + l
                        + ", out of range");
            }
            return l.intValue();
        }).toList();
    }
}
