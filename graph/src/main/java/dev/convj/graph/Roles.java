package dev.convj.graph;

import java.util.List;

/**
 * The names of the nodes that give a model graph its roles, shared by the DSL that builds graphs and the trainer
 * that feeds them: users may not name a layer after one.
 */
public final class Roles {
    private Roles() {}

    /** The images (or any input batch). */
    public static final String INPUT = "x";
    /** Integer class labels, for a softmax cross-entropy loss. */
    public static final String LABELS = "labels";
    /** Regression targets, for a mean-squared-error loss. */
    public static final String TARGET = "target";
    /** The scalar loss. */
    public static final String LOSS = "loss";
    /** The i32 scalar training step, which seeds dropout masks. */
    public static final String STEP = "step";

    /** Every role name. */
    public static final List<String> ALL = List.of(INPUT, LABELS, TARGET, LOSS, STEP);
}
