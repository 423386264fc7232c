package io.jkeras.train;

import io.jkeras.exceptions.InputException;
import io.jkeras.exceptions.UnsupportedModelException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What every Keras 3 optimizer shares (keras/src/optimizers/base_optimizer.py {@code apply},
 * :466): the params without a gradient are skipped (:843); the gradients are clipped (:870, see
 * {@link GradientClipping}); weight decay {@code w -= w·wd·lr} is applied to each updated weight
 * (:952); then each optimizer's {@code update_step} runs with the learning rate at the current
 * {@code iterations} (:781), which is incremented afterwards (:533). Slots are created at zero
 * (or the optimizer's initial value) on first use, kept per param and rounded to float32 after
 * every assignment, as Keras' float32 variables are; weights are rounded likewise.
 *
 * <p>Weight constraints, which Keras applies at the end of {@code apply}, are applied by the
 * trainer ({@code io.jkeras.train.Constraints}) right after {@link #step}.
 */
public abstract class KerasOptimizer implements Optimizer {
    protected final LearningRateSchedule learningRate;
    protected final Double weightDecay;
    protected final Double clipnorm;
    protected final Double clipvalue;
    protected final Double globalClipnorm;
    /**
     * The {@code learning_rate} of the Keras config: a {@code Double} or a serialized schedule (a map); null when
     * unknown.
     */
    private final Object learningRateConfig;
    /** Keras' {@code name} of the optimizer (null: Keras' default for the class). */
    private final String configName;
    private long iterations;
    /** param full name → slot name → values. */
    private final Map<String, Map<String, double[]>> slots = new LinkedHashMap<>();

    protected KerasOptimizer(Options o) {
        this.learningRate = o.learningRate;
        this.weightDecay = o.weightDecay;
        this.clipnorm = positive(o.clipnorm);
        this.clipvalue = positive(o.clipvalue);
        this.globalClipnorm = positive(o.globalClipnorm);
        this.learningRateConfig = o.learningRateConfig;
        this.configName = o.name;
        int set = (clipnorm != null ? 1 : 0) + (clipvalue != null ? 1 : 0) + (globalClipnorm != null ? 1 : 0);
        if (set > 1) {
            throw new InputException("only one of clipnorm, clipvalue and global_clipnorm can be set; got clipnorm="
                    + o.clipnorm
                    + ", clipvalue=" + o.clipvalue + ", global_clipnorm=" + o.globalClipnorm);
        }
    }

    private static Double positive(Double d) { return d != null && d > 0 ? d : null; }

    /** Keras' shared optimizer options (base_optimizer.py:68). */
    public static final class Options {
        LearningRateSchedule learningRate;
        Object learningRateConfig;
        String name;
        Double weightDecay, clipnorm, clipvalue, globalClipnorm;

        public Options(double learningRate) {
            this.learningRate = LearningRateSchedules.constant(learningRate);
            this.learningRateConfig = learningRate;
        }

        /** A schedule without a Keras config: such an optimizer cannot be saved ({@link #kerasConfig}). */
        public Options(LearningRateSchedule learningRate) { this.learningRate = learningRate; }

        /**
         * A learning rate with its Keras config: a number, or a serialized schedule
         * ({@code {"class_name": "CosineDecay", "config": {...}}}) as {@code learning_rate} holds it,
         * in plain values (a {@code Number}, or a map of maps, lists, strings, numbers, booleans and nulls).
         */
        public Options(LearningRateSchedule learningRate, Object config) {
            this.learningRate = learningRate;
            this.learningRateConfig = config instanceof Number n ? (Object) n.doubleValue() : deepCopy(config);
        }

        /** Keras' {@code name} of the optimizer (its config's {@code name}; default: the snake-case class name). */
        public Options name(String n) { name = n; return this; }

        public Options weightDecay(Double v) { weightDecay = v; return this; }

        public Options clipnorm(Double v) { clipnorm = v; return this; }

        public Options clipvalue(Double v) { clipvalue = v; return this; }

        public Options globalClipnorm(Double v) { globalClipnorm = v; return this; }

        public Options learningRate(LearningRateSchedule s) { learningRate = s; learningRateConfig = null; return this;
                }
    }

    /** Keras' {@code optimizer.iterations}: the number of updates applied so far. */
    public long iterations() { return iterations; }

    /** The learning rate Keras uses for the update made at {@code iterations == step}, float32. */
    public double learningRateAt(long step) { return (float) learningRate.at(step); }

    /** The slot names this optimizer keeps per weight, in Keras' order. */
    protected abstract List<String> slotNames();

    /** The initial value of a slot (Keras initialises slots to zero unless the optimizer says otherwise). */
    protected double initialSlotValue(String slot) { return 0.0; }

    /** The slot names this optimizer keeps per weight ({@code momentum}, {@code velocity}, …). */
    public List<String> kerasSlotNames() { return List.copyOf(slotNames()); }

    /** The value a slot starts from before the first update (float32), as Keras' {@code build} creates it. */
    public float initialSlotValueOf(String slot) { return (float) initialSlotValue(slot); }

    /** Whether the learning rate is a schedule (Keras then keeps no {@code learning_rate} variable). */
    public boolean learningRateIsSchedule() { return learningRateConfig instanceof Map<?, ?>; }

    /**
     * Keras' default {@code name} of the class: {@code snake_case(class name)} ({@code adam}, {@code rm_sprop}, {@code
     * adam_w}).
     */
    protected abstract String defaultConfigName();

    /** Adds the class's own options to the config ({@code beta_1}, {@code momentum}, …), in Keras' order. */
    protected abstract void putConfig(Map<String, Object> c);

    /**
     * This optimizer's Keras config, as Keras 3.15's {@code optimizer.get_config()} gives it: the
     * shared options ({@code name}, {@code learning_rate} as float32 or the schedule's serialized
     * config, {@code weight_decay}, the clipping options, the EMA and loss-scaling options, which
     * jkeras only supports off) and the class's own, in plain values ({@code Double}, {@code Boolean},
     * {@code String}, null, and a map for a schedule), keyed and ordered as Keras writes them.
     * {@link Optimizers#fromConfig} reads it back; {@code io.jkeras.keras} writes it as JSON.
     *
     * @throws UnsupportedModelException when the learning rate is a schedule built without its config
     */
    public Map<String, Object> kerasConfig() {
        if (learningRateConfig == null) {
            throw new UnsupportedModelException(null, null, null, "optimizer " + name()
                    + ": its learning-rate schedule was built"
                    + " without a Keras config (use Optimizers.fromConfig or KerasOptimizer.Options(schedule,"
                            + " config)), so it cannot be saved");
        }
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", configName != null ? configName : defaultConfigName());
        if (learningRateConfig instanceof Double d) c.put("learning_rate", (double) (float) d.doubleValue());
        else c.put("learning_rate", deepCopy(learningRateConfig));
        c.put("weight_decay", weightDecay);
        c.put("clipnorm", clipnorm);
        c.put("global_clipnorm", globalClipnorm);
        c.put("clipvalue", clipvalue);
        c.put("use_ema", false);
        c.put("ema_momentum", 0.99);
        c.put("ema_overwrite_frequency", null);
        c.put("loss_scale_factor", null);
        c.put("gradient_accumulation_steps", null);
        putConfig(c);
        return c;
    }

    /** A copy of a config value whose maps and lists are fresh (and insertion-ordered), so no caller shares them. */
    static Object deepCopy(Object v) {
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put(String.valueOf(k), deepCopy(x)));
            return out;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            for (Object x : l) out.add(deepCopy(x));
            return out;
        }
        return v;
    }

    /**
     * One {@code update_step}: updates {@code w} (and the slots) in place from gradient {@code g}
     * with float32 learning rate {@code lr}; {@code iteration} is the value of {@code iterations}
     * during this update. Implementations round each assigned slot and the weight to float32.
     */
    protected abstract void updateStep(double[] w, double[] g, Map<String, double[]> slots, double lr, long iteration);

    /** Updates with the optimizer's own {@code iterations} counter. */
    public void step(List<Param> params) { step(params, iterations); }

    @Override
    public void step(List<Param> params, long iteration) {
        List<Param> ps = new ArrayList<>();
        List<double[]> grads = new ArrayList<>();
        for (Param p : params) {
            if (!p.trainable() || p.var().grad() == null) continue;
            ps.add(p);
            double[] g = p.var().grad().clone();
            for (int i = 0; i < g.length; i++) g[i] = (float) g[i];
            grads.add(g);
        }
        if (!ps.isEmpty()) {
            GradientClipping.apply(grads, clipnorm, globalClipnorm, clipvalue);
            for (double[] g : grads) round(g);
            double lr = learningRateAt(iteration);
            if (weightDecay != null) {
                double wd = (float) weightDecay.doubleValue();
                for (Param p : ps) {
                    double[] w = p.var().value();
                    for (int i = 0; i < w.length; i++) w[i] = (float) (w[i] - (double) (float) (w[i] * wd * lr));
                }
            }
            for (int k = 0; k < ps.size(); k++) {
                Param p = ps.get(k);
                updateStep(p.var().value(), grads.get(k), slotsOf(p), lr, iteration);
                p.roundToFloat();
            }
        }
        iterations = iteration + 1;
    }

    private Map<String, double[]> slotsOf(Param p) {
        return slots.computeIfAbsent(p.fullName(), k -> {
            Map<String, double[]> m = new LinkedHashMap<>();
            for (String s : slotNames()) {
                double[] v = new double[p.var().size()];
                java.util.Arrays.fill(v, (float) initialSlotValue(s));
                m.put(s, v);
            }
            return m;
        });
    }

    /** Rounds every element to float32. */
    protected static void round(double[] a) {
        for (int i = 0; i < a.length; i++) a[i] = (float) a[i];
    }

    /** The state to save: {@code iterations} and every slot as float32, keyed {@code layer/weight/slot}. */
    public OptimizerState exportState() {
        Map<String, float[]> out = new LinkedHashMap<>();
        slots.forEach((param, m) -> m.forEach((slot, v) -> {
            float[] f = new float[v.length];
            for (int i = 0; i < f.length; i++) f[i] = (float) v[i];
            out.put(param + "/" + slot, f);
        }));
        return new OptimizerState(iterations, out);
    }

    /** Restores a state saved by {@link #exportState} (slots of unknown names are refused). */
    public void importState(OptimizerState state) {
        List<String> names = slotNames();
        Map<String, Map<String, double[]>> fresh = new LinkedHashMap<>();
        state.slots().forEach((key, f) -> {
            int cut = key.lastIndexOf('/');
            String param = cut < 0 ? "" : key.substring(0, cut), slot = key.substring(cut + 1);
            if (cut < 0 || !names.contains(slot)) {
                throw new InputException(null, null, null, "optimizer " + name() + " has no slot '" + key
                        + "' (slots: " + names + ")");
            }
            double[] v = new double[f.length];
            for (int i = 0; i < v.length; i++) v[i] = f[i];
            fresh.computeIfAbsent(param, k -> new LinkedHashMap<>()).put(slot, v);
        });
        for (Map.Entry<String, Map<String, double[]>> e : fresh.entrySet()) {
            for (String s : names) {
                if (!e.getValue().containsKey(s)) {
                    throw new InputException(null, null, null, "optimizer state for '" + e.getKey() + "' lacks slot '"
                            + s + "'");
                }
            }
        }
        slots.clear();
        slots.putAll(fresh);
        iterations = state.iterations();
    }

    /** A copy of the current state that {@link #importState} can restore (for rolling back a bad step). */
    public OptimizerState snapshot() { return exportState(); }

    @Override public String toString() { return name() + "(lr=" + learningRate + ")"; }
}
