package io.jkeras.layers;

import io.jkeras.exceptions.InputException;
import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.kernels.Broadcast;
import io.jkeras.tensor.Tensor;

import java.util.List;

/**
 * A Keras operation recorded as a layer in a Keras 3 graph (the ops Keras itself inserts to carry
 * masks through a functional model): comparisons and logical operators over two tensors, or a
 * tensor and a constant, with NumPy broadcasting. Booleans are 0 and 1.
 */
public final class ElementwiseOp implements Layer {
    @Override public <R> R accept(Visitor<R> v) { return v.visit(this); }

    /** The operation. */
    public enum Op {
        EQUAL, NOT_EQUAL, GREATER, GREATER_EQUAL, LESS, LESS_EQUAL, LOGICAL_AND, LOGICAL_OR, LOGICAL_XOR;

        double apply(double a, double b) {
            boolean r = switch (this) {
                case EQUAL -> a == b;
                case NOT_EQUAL -> a != b;
                case GREATER -> a > b;
                case GREATER_EQUAL -> a >= b;
                case LESS -> a < b;
                case LESS_EQUAL -> a <= b;
                case LOGICAL_AND -> a != 0 && b != 0;
                case LOGICAL_OR -> a != 0 || b != 0;
                case LOGICAL_XOR -> (a != 0) != (b != 0);
            };
            return r ? 1 : 0;
        }
    }

    private final String name;
    private final String typeName;
    private final Op op;
    private final Float constant;
    private final boolean constantFirst;

    /**
     * @param constant      null for an operation between the layer's two inputs; otherwise the
     *                      scalar the single input is combined with
     * @param constantFirst whether the constant is the left operand
     */
    public ElementwiseOp(String name, String typeName, Op op, Float constant, boolean constantFirst) {
        this.name = name;
        this.typeName = typeName;
        this.op = op;
        this.constant = constant;
        this.constantFirst = constantFirst;
    }

    @Override public String name() { return name; }

    @Override public String typeName() { return typeName; }

    public Op op() { return op; }

    /** The scalar operand, or null for an operation between two inputs. */
    public Float constant() { return constant; }

    public boolean constantFirst() { return constantFirst; }

    @Override
    public int[][] outputShapes(int[][] in) {
        int want = constant == null ? 2 : 1;
        Shapes.expectInputs(name, in, want, want);
        if (constant != null) return new int[][]{in[0].clone()};
        int[] s = Broadcast.shape(withBatch(in[0]), withBatch(in[1]));
        if (s == null) {
            throw new UnsupportedModelException(null, name, null, "inputs (None, " + Shapes.inner(in[0])
                    + ") and (None, "
                    + Shapes.inner(in[1]) + ") do not broadcast");
        }
        return new int[][]{java.util.Arrays.copyOfRange(s, 1, s.length)};
    }

    private static int[] withBatch(int[] s) {
        int[] r = new int[s.length + 1];
        r[0] = -1;
        System.arraycopy(s, 0, r, 1, s.length);
        return r;
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, float[][] state) {
        Tensor a = inputs[0];
        if (constant != null) {
            float[] d = a.data();
            float[] r = new float[d.length];
            double c = constant;
            for (int i = 0; i < d.length; i++) r[i] = (float) (constantFirst ? op.apply(c, d[i]) : op.apply(d[i], c));
            return new Tensor[]{new Tensor(a.shape(), r)};
        }
        Tensor b = inputs[1];
        // both are (batch, …) tensors of the graph: their batch axes are equal, never broadcast (as in Merge)
        Merge.checkSameBatch(name, inputs);
        int[] s = Broadcast.shape(a.shape(), b.shape());
        if (s == null) {
            throw new InputException(null, name, null, "inputs " + Tensor.shapeString(a.shape()) + " and "
                    + Tensor.shapeString(b.shape()) + " do not broadcast");
        }
        return new Tensor[]{new Tensor(s, Broadcast.apply(a.data(), a.shape(), b.data(), b.shape(), s, op::apply))};
    }

    @Override public List<Weight> weights() { return List.of(); }

    @Override
    public void encode(LayerEncoder e) {
        e.put("type_name", typeName);
        e.put("op", op.name());
        if (constant == null) e.putNull("constant");
        else e.putFloat("constant", constant);
        e.put("constant_first", constantFirst);
    }

    static Layer decode(LayerDecoder d) {
        Float c = d.isNull("constant") ? null : d.floatValue("constant");
        return new ElementwiseOp(d.name(), d.string("type_name"), d.enumValue("op", Op.values()), c,
                d.bool("constant_first"));
    }

    @Override public long flops(int[][] in, int[][] out) { return 0; }

    @Override public int vocabulary() { return 0; }

    @Override public Layer withWeights(List<float[]> values) { return this; }
}
