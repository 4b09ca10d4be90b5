package dev.convj.dsl;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link Network} as text and back, for model files:
 * <pre>
 * convj-network 1
 * input [1, 28, 28]
 * layer ConvLayer(name="conv1", spatialRank=2, filters=6, kernel=[5], padding=Explicit(low=[2], high=[2]), …)
 * …
 * loss softmax_cross_entropy
 * </pre>
 * Layers are written by a generic codec of record components (strings, numbers, booleans, enums, lists, nested
 * records and sealed interfaces of records), found by reflection: a layer type added to {@link Layer}'s
 * permitted subclasses is written and read without a change here.
 */
public final class NetworkSpec {
    private NetworkSpec() {}

    public static final String HEADER = "convj-network 1";

    /** The network as text, one layer per line. */
    public static String write(Network network) {
        StringBuilder b = new StringBuilder(HEADER).append('\n');
        b.append("input ").append(encode(network.inputShape())).append('\n');
        for (Layer l : network.layers()) {
            b.append("layer ").append(encode(l)).append('\n');
        }
        b.append("loss ").append(network.lossKind()).append('\n');
        if (network.weightDecayRate() > 0) {
            b.append("weight_decay ").append(network.weightDecayRate()).append('\n');
        }
        return b.toString();
    }

    /** Reads what {@link #write} wrote; errors name the line and what was expected. */
    public static Network read(String text) {
        String[] lines = text.strip().split("\\R");
        if (lines.length == 0 || !lines[0].strip().equals(HEADER)) {
            throw new IllegalArgumentException("not a ConvJ network description: the first line must be '" + HEADER
                    + "', got '" + (lines.length == 0 ? "" : lines[0]) + "'");
        }
        List<Integer> input = null;
        List<Layer> layers = new ArrayList<>();
        String loss = null;
        double weightDecay = 0;
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int space = line.indexOf(' ');
            String key = space < 0 ? line : line.substring(0, space);
            String rest = space < 0 ? "" : line.substring(space + 1).strip();
            try {
                switch (key) {
                    case "input" -> input = integers(new Parser(rest).parseComplete(listOf(Integer.class)));
                    case "layer" -> layers.add((Layer) new Parser(rest).parseComplete(Layer.class));
                    case "loss" -> loss = rest;
                    case "weight_decay" -> weightDecay = Double.parseDouble(rest);
                    default -> throw new IllegalArgumentException("unknown entry '" + key + "'");
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("network description, line " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        if (input == null || loss == null) {
            throw new IllegalArgumentException("network description: the 'input' or the 'loss' line is missing");
        }
        return Network.restore(input, layers, loss, weightDecay);
    }

    @SuppressWarnings("unchecked")
    private static List<Integer> integers(Object o) {
        return (List<Integer>) o;
    }

    // ---- Writing ----

    static String encode(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof String s) {
            return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
        }
        if (value instanceof Number || value instanceof Boolean) {
            return value.toString();
        }
        if (value instanceof Enum<?> e) {
            return e.name();
        }
        if (value instanceof List<?> list) {
            List<String> parts = new ArrayList<>();
            list.forEach(v -> parts.add(encode(v)));
            return "[" + String.join(", ", parts) + "]";
        }
        Class<?> c = value.getClass();
        if (c.isRecord()) {
            List<String> parts = new ArrayList<>();
            for (RecordComponent rc : c.getRecordComponents()) {
                try {
                    rc.getAccessor().setAccessible(true);
                    parts.add(rc.getName() + "=" + encode(rc.getAccessor().invoke(value)));
                } catch (ReflectiveOperationException ex) {
                    throw new IllegalStateException("cannot read " + c.getSimpleName() + "." + rc.getName(), ex);
                }
            }
            return c.getSimpleName() + "(" + String.join(", ", parts) + ")";
        }
        throw new IllegalArgumentException("cannot write a " + c.getName() + " in a network description; layer "
                + "attributes must be strings, numbers, booleans, enums, lists or records");
    }

    // ---- Reading ----

    private static Type listOf(Class<?> element) {
        return new ParameterizedType() {
            @Override
            public Type[] getActualTypeArguments() {
                return new Type[] {element};
            }

            @Override
            public Type getRawType() {
                return List.class;
            }

            @Override
            public Type getOwnerType() {
                return null;
            }
        };
    }

    /** A recursive-descent reader of one encoded value, guided by the type it must produce. */
    private static final class Parser {
        private final String s;
        private int pos;

        Parser(String s) {
            this.s = s;
        }

        Object parseComplete(Type type) {
            Object v = value(type);
            skip();
            if (pos != s.length()) {
                throw error("unexpected text after the value");
            }
            return v;
        }

        private Object value(Type type) {
            skip();
            if (peekWord("null")) {
                pos += 4;
                if (type instanceof Class<?> c && c.isPrimitive()) {
                    throw error("null for a " + c.getSimpleName());
                }
                return null;
            }
            if (type instanceof ParameterizedType p && p.getRawType() == List.class) {
                return list(p.getActualTypeArguments()[0]);
            }
            Class<?> c = (Class<?>) type;
            if (c == String.class) {
                return string();
            }
            if (c == int.class || c == Integer.class) {
                return (int) number();
            }
            if (c == long.class || c == Long.class) {
                return (long) number();
            }
            if (c == double.class || c == Double.class) {
                return number();
            }
            if (c == float.class || c == Float.class) {
                return (float) number();
            }
            if (c == boolean.class || c == Boolean.class) {
                String w = word();
                if (!w.equals("true") && !w.equals("false")) {
                    throw error("expected true or false, got '" + w + "'");
                }
                return Boolean.parseBoolean(w);
            }
            if (c.isEnum()) {
                String w = word();
                for (Object constant : c.getEnumConstants()) {
                    if (((Enum<?>) constant).name().equals(w)) {
                        return constant;
                    }
                }
                throw error("'" + w + "' is not a " + c.getSimpleName());
            }
            if (c.isRecord() || c.isSealed()) {
                return record(c);
            }
            throw error("cannot read a " + c.getName());
        }

        private List<Object> list(Type element) {
            expect('[');
            List<Object> out = new ArrayList<>();
            skip();
            if (peek() == ']') {
                pos++;
                return out;
            }
            while (true) {
                out.add(value(element));
                skip();
                char ch = next();
                if (ch == ']') {
                    return out;
                }
                if (ch != ',') {
                    throw error("expected ',' or ']' in a list");
                }
            }
        }

        private Object record(Class<?> declared) {
            String name = word();
            Class<?> c = find(declared, name);
            if (c == null) {
                throw error("unknown " + declared.getSimpleName() + " type '" + name + "'");
            }
            expect('(');
            Map<String, RecordComponent> components = new LinkedHashMap<>();
            for (RecordComponent rc : c.getRecordComponents()) {
                components.put(rc.getName(), rc);
            }
            Map<String, Object> values = new LinkedHashMap<>();
            skip();
            if (peek() == ')') {
                pos++;
            } else {
                while (true) {
                    String field = word();
                    RecordComponent rc = components.get(field);
                    if (rc == null) {
                        throw error(c.getSimpleName() + " has no attribute '" + field + "'; it has " + components.keySet());
                    }
                    expect('=');
                    values.put(field, value(rc.getGenericType()));
                    skip();
                    char ch = next();
                    if (ch == ')') {
                        break;
                    }
                    if (ch != ',') {
                        throw error("expected ',' or ')' after " + field);
                    }
                }
            }
            Object[] args = new Object[components.size()];
            Class<?>[] types = new Class<?>[components.size()];
            int i = 0;
            for (RecordComponent rc : components.values()) {
                if (!values.containsKey(rc.getName())) {
                    throw error(c.getSimpleName() + " is missing its attribute '" + rc.getName() + "'");
                }
                args[i] = values.get(rc.getName());
                types[i++] = rc.getType();
            }
            try {
                Constructor<?> ctor = c.getDeclaredConstructor(types);
                ctor.setAccessible(true);
                return ctor.newInstance(args);
            } catch (InvocationTargetException e) {
                throw error(c.getSimpleName() + ": " + e.getCause().getMessage());
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot build a " + c.getName(), e);
            }
        }

        /** The record class named {@code name}: {@code declared} itself or one of its sealed subtypes. */
        private static Class<?> find(Class<?> declared, String name) {
            if (declared.isRecord() && declared.getSimpleName().equals(name)) {
                return declared;
            }
            if (declared.isSealed()) {
                for (Class<?> sub : declared.getPermittedSubclasses()) {
                    Class<?> found = find(sub, name);
                    if (found != null) {
                        return found;
                    }
                }
            }
            return null;
        }

        private String string() {
            expect('"');
            StringBuilder b = new StringBuilder();
            while (pos < s.length()) {
                char ch = s.charAt(pos++);
                if (ch == '"') {
                    return b.toString();
                }
                if (ch == '\\' && pos < s.length()) {
                    ch = s.charAt(pos++);
                }
                b.append(ch);
            }
            throw error("unterminated string");
        }

        private double number() {
            skip();
            int start = pos;
            while (pos < s.length() && "+-.0123456789eEInfinityNa".indexOf(s.charAt(pos)) >= 0) {
                pos++;
            }
            try {
                return Double.parseDouble(s.substring(start, pos));
            } catch (NumberFormatException e) {
                pos = start;
                throw error("expected a number");
            }
        }

        private String word() {
            skip();
            int start = pos;
            while (pos < s.length() && (Character.isJavaIdentifierPart(s.charAt(pos)))) {
                pos++;
            }
            if (start == pos) {
                throw error("expected a name");
            }
            return s.substring(start, pos);
        }

        private boolean peekWord(String w) {
            return s.startsWith(w, pos) && (pos + w.length() == s.length()
                    || !Character.isJavaIdentifierPart(s.charAt(pos + w.length())));
        }

        private void expect(char ch) {
            skip();
            if (pos >= s.length() || s.charAt(pos) != ch) {
                throw error("expected '" + ch + "'");
            }
            pos++;
        }

        private char peek() {
            return pos < s.length() ? s.charAt(pos) : '\0';
        }

        private char next() {
            if (pos >= s.length()) {
                throw error("unexpected end");
            }
            return s.charAt(pos++);
        }

        private void skip() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }

        private IllegalArgumentException error(String message) {
            return new IllegalArgumentException(message + " at column " + (pos + 1) + " of '" + s + "'");
        }
    }
}
