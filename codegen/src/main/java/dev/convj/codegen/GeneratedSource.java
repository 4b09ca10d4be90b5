package dev.convj.codegen;

/** Java source generated for a graph: the class's fully qualified name and its text. */
public record GeneratedSource(String qualifiedName, String source) {

    public String simpleName() {
        return qualifiedName.substring(qualifiedName.lastIndexOf('.') + 1);
    }

    public String packageName() {
        int dot = qualifiedName.lastIndexOf('.');
        return dot < 0 ? "" : qualifiedName.substring(0, dot);
    }
}
