package io.jkeras.train;

import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.layers.CustomLayer;
import io.jkeras.layers.Layer;
import io.jkeras.tensor.Tensor;

import java.util.List;

/**
 * A custom layer's training form: its Java implementation ({@link io.jkeras.layers.CustomLayerFactory}) computes the
 * forward pass in float; the outputs join the tape as values. When an input needs a gradient, the implementation
 * must be {@link io.jkeras.layers.CustomLayerFactory.Differentiable}, whose backward gives the input gradients;
 * otherwise training is refused, naming the layer and what to do. The custom layer's own weights are not trained.
 */
final class CustomLayerTrainer implements TrainableLayer {
    private final CustomLayer layer;

    CustomLayerTrainer(CustomLayer layer) { this.layer = layer; }

    @Override public Layer layer() { return layer; }

    @Override public List<Param> params() { return List.of(); }

    @Override
    public Var[] forward(Tape t, Var[] in, TrainContext ctx, double[][] state) {
        boolean needs = false;
        for (Var v : in) needs |= v.needsGrad();
        if (needs && !layer.differentiable()) {
            throw new UnsupportedModelException(null, layer.name(), null, "custom layer " + layer.config().kerasClass()
                    + " is run by its Java implementation (a CustomLayerFactory) without a backward pass, and a layer"
                    + " before it trains: freeze the layers before it (trainable=False) to fine-tune the ones after"
                    + " it, or make its computation a CustomLayerFactory.Differentiable");
        }
        Tensor[] x = new Tensor[in.length];
        for (int i = 0; i < in.length; i++) x[i] = in[i].toTensor();
        Tensor[] y = layer.forward(x, null);
        Var[] out = new Var[y.length];
        for (int i = 0; i < y.length; i++) out[i] = Ops.result(t, y[i].shape(), Var.widen(y[i].data()), needs,
                y[i].mask());
        if (needs) t.record(() -> {
            Tensor[] g = new Tensor[out.length];
            boolean any = false;
            for (int i = 0; i < out.length; i++) {
                double[] d = out[i].grad;
                any |= d != null;
                g[i] = new Tensor(out[i].shape(), d == null ? new float[out[i].size()] : Var.narrow(d));
            }
            if (!any) return;
            Tensor[] dx = layer.backward(x, g);
            for (int i = 0; i < in.length; i++) {
                if (!in[i].needsGrad()) continue;
                double[] buf = in[i].gradBuffer();
                float[] gi = dx[i].data();
                for (int k = 0; k < buf.length; k++) buf[k] += gi[k];
            }
        });
        return out;
    }


    @Override public Layer rebuild() { return layer; }
}
