package io.jkeras.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.jkeras.tensor.Tensor;

import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An exported model in ONNX Runtime (graph optimizations on: ORT's fusions and its fused recurrent
 * kernels), run as jkeras' tests run a model: inputs as jkeras tensors, int32 where the ONNX input
 * is, the carried state of stateful layers fed back from each call's {@code Y_h}/{@code Y_c} to the
 * next call's {@code initial_h}/{@code initial_c} (zeros at the start).
 */
final class OrtRunner implements AutoCloseable {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final Map<String, float[]> state = new HashMap<>();

    OrtRunner(byte[] model, int threads) throws OrtException {
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        if (threads > 0) {
            o.setIntraOpNumThreads(threads);
            o.setInterOpNumThreads(1);
        }
        session = env.createSession(model, o);
    }

    OrtSession session() { return session; }

    /** The model inputs (not the state inputs), in the graph's order. */
    List<String> modelInputs() {
        List<String> out = new ArrayList<>();
        for (String n : session.getInputNames()) if (!isState(n)) out.add(n);
        return out;
    }

    private static boolean isState(String n) { return n.endsWith("/initial_h") || n.endsWith("/initial_c"); }

    /** One call: the model outputs in order (the state outputs are kept for the next call). */
    Tensor[] run(Tensor... x) throws OrtException {
        List<String> names = modelInputs();
        Map<String, OnnxTensor> feed = new HashMap<>();
        try {
            for (int i = 0; i < x.length; i++) feed.put(names.get(i), tensor(names.get(i), x[i]));
            for (String n : session.getInputNames()) {
                if (!isState(n)) continue;
                long[] shape = ((TensorInfo) session.getInputInfo().get(n).getInfo()).getShape();
                if (shape[1] < 0) shape[1] = x[0].dim(0);
                float[] s = state.computeIfAbsent(n, k -> new float[(int) (shape[0] * shape[1] * shape[2])]);
                feed.put(n, OnnxTensor.createTensor(env, FloatBuffer.wrap(s), shape));
            }
            List<Tensor> out = new ArrayList<>();
            try (OrtSession.Result r = session.run(feed)) {
                for (Map.Entry<String, ai.onnxruntime.OnnxValue> e : r) {
                    OnnxTensor t = (OnnxTensor) e.getValue();
                    long[] ls = t.getInfo().getShape();
                    int[] shape = new int[ls.length];
                    for (int d = 0; d < ls.length; d++) shape[d] = (int) ls[d];
                    FloatBuffer fb = t.getFloatBuffer();
                    float[] v = new float[fb.remaining()];
                    fb.get(v);
                    String n = e.getKey();
                    if (n.endsWith("/Y_h") || n.endsWith("/Y_c")) {
                        state.put(n.substring(0, n.length() - 3) + (n.endsWith("h") ? "initial_h" : "initial_c"), v);
                    } else {
                        out.add(new Tensor(shape, v));
                    }
                }
            }
            return out.toArray(new Tensor[0]);
        } finally {
            for (OnnxTensor t : feed.values()) t.close();
        }
    }

    private OnnxTensor tensor(String name, Tensor x) throws OrtException {
        long[] shape = new long[x.rank()];
        for (int d = 0; d < shape.length; d++) shape[d] = x.dim(d);
        TensorInfo info = (TensorInfo) session.getInputInfo().get(name).getInfo();
        if (info.type == ai.onnxruntime.OnnxJavaType.INT32) {
            int[] ids = new int[x.size()];
            for (int i = 0; i < ids.length; i++) ids[i] = (int) x.data()[i];
            return OnnxTensor.createTensor(env, IntBuffer.wrap(ids), shape);
        }
        return OnnxTensor.createTensor(env, FloatBuffer.wrap(x.data()), shape);
    }

    @Override
    public void close() throws OrtException { session.close(); }
}
