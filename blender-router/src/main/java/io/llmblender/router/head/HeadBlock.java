package io.llmblender.router.head;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * The head's DJL block: {@code Linear(dim -> hidden) + ReLU + Dropout + Linear(hidden -> n)}.
 * Input 0 is the embedding batch {@code [rows, dim]}; during training, input 1 is the dropout mask
 * {@code [rows, hidden]} ({@code 0} or {@code 1 / (1 - dropout)} per hidden unit), drawn in Java
 * from the seeded random so that PyTorch's generator is never used. Without a mask, or outside
 * training, there is no dropout. The output is the logits {@code [rows, n]}.
 *
 * <p>Its four parameters, in {@link #orderedParameters()} order, are {@code W1 [hidden x dim]},
 * {@code b1 [hidden]}, {@code W2 [n x hidden]}, {@code b2 [n]}: the order of the weights that
 * {@link RouterHead} holds and {@link HeadFiles} writes. Not thread-safe while training; a frozen,
 * initialised block may run forward passes from many threads.
 */
final class HeadBlock extends AbstractBlock {

    /** How many parameters the block has. */
    static final int PARAMETERS = 4;

    private final int hidden;
    private final int n;
    private final Linear first;
    private final Linear second;

    /**
     * An uninitialised block.
     *
     * @param hidden the hidden width, positive
     * @param n the number of outputs, at least 2
     */
    HeadBlock(int hidden, int n) {
        this.hidden = hidden;
        this.n = n;
        this.first = addChildBlock("first", Linear.builder().setUnits(hidden).build());
        this.second = addChildBlock("second", Linear.builder().setUnits(n).build());
    }

    /**
     * The sizes of the parameters in {@link #orderedParameters()} order, as float counts.
     *
     * @param dim the embedding length
     * @param hidden the hidden width
     * @param n the number of outputs
     * @return {@code {hidden * dim, hidden, n * hidden, n}}
     */
    static long[] parameterSizes(int dim, int hidden, int n) {
        return new long[] {(long) hidden * dim, hidden, (long) n * hidden, n};
    }

    /**
     * The parameters in the fixed order W1, b1, W2, b2.
     *
     * @return the four parameters
     * @throws IllegalStateException if the block does not have exactly four
     */
    List<Parameter> orderedParameters() {
        List<Parameter> params = new ArrayList<>();
        for (Pair<String, Parameter> pair : getParameters()) {
            params.add(pair.getValue());
        }
        if (params.size() != PARAMETERS) {
            throw new IllegalStateException("the head must have " + PARAMETERS + " parameters, found " + params.size());
        }
        return params;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray h = first.forward(store, new NDList(inputs.get(0)), training).singletonOrThrow();
        h = Activation.relu(h);
        if (training && inputs.size() > 1) {
            h = h.mul(inputs.get(1));
        }
        return second.forward(store, new NDList(h), training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), n)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        first.initialize(manager, dataType, inputShapes[0]);
        second.initialize(manager, dataType, new Shape(inputShapes[0].get(0), hidden));
    }
}
