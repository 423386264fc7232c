package io.jkeras.cli;

import io.jkeras.exceptions.InputException;
import io.jkeras.JKeras;
import io.jkeras.exceptions.JKerasException;
import io.jkeras.model.Model;
import io.jkeras.tensor.Tensor;
import io.jkeras.npy.Npy;
import io.jkeras.plot.LossPlot;
import io.jkeras.train.EarlyStopping;
import io.jkeras.train.FitOptions;
import io.jkeras.train.FitResult;
import io.jkeras.train.Loss;
import io.jkeras.train.LossConfig;
import io.jkeras.train.Losses;
import io.jkeras.train.Trainer;
import io.jkeras.train.TrainingState;
import io.jkeras.train.KerasOptimizer;
import io.jkeras.train.Optimizers;
import io.jkeras.util.OutputFiles;
import io.jkeras.text.Printable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code jkeras train MODEL --x X.npy --y Y.npy --loss mse --optimizer adam -o OUT.h5}: Keras'
 * {@code compile} + {@code fit} on .npy data, then {@code model.save}. Nothing is written until
 * training has finished: the model, the history and the plot are all prepared first, then each
 * is written atomically, so an interrupted or failed run leaves no partial file.
 *
 * <p>Resuming: when MODEL holds an optimizer state (a {@code .keras} archive saved compiled, by
 * Keras or by this command, or a legacy HDF5 file Keras 3 saved after {@code fit}), training goes
 * on from it ({@code iterations} and every slot) if the optimizer is the same class as
 * {@code --optimizer}, or, without {@code --optimizer}, with MODEL's optimizer config (the
 * hyperparameter flags given override it); {@code --fresh-optimizer} starts afresh. One line says
 * which. A {@code .keras} OUT keeps the optimizer state (compile_config + optimizer variables, as
 * Keras saves them); a {@code .h5} OUT holds the model only, since Keras 3 does not restore an
 * optimizer from a legacy HDF5 file.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Fine-tune a Keras model on .npy data (Keras' compile + fit) and save it as .h5, .keras"
                + " or .jkm.",
                "The i-th --x feeds the model's i-th input, the i-th --y is the target of its i-th output."})
final class TrainCommand implements Runnable {
    static final Set<String> LOSSES = Set.of("mse", "mean_squared_error", "mae", "mean_absolute_error", "huber",
            "binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy");
    static final Set<String> OPTIMIZERS = Set.of("sgd", "adam", "adamw", "rmsprop", "adagrad");

    /** How progress is shown. */
    enum Progress { auto, bar, log, none }

    @Mixin
    ModelArgs args = new ModelArgs();

    @Option(names = "--x", paramLabel = "X.npy", required = true,
            description = "Training inputs (.npy, samples first), one per model input, in input order.")
    List<Path> x = new ArrayList<>();

    @Option(names = "--y", paramLabel = "Y.npy", required = true,
            description = "Training targets (.npy, samples first), one per model output, in output order.")
    List<Path> y = new ArrayList<>();

    @Option(names = "--loss", paramLabel = "NAME", required = true,
            description = "Keras loss: mse, mae, huber, binary_crossentropy, categorical_crossentropy,"
                    + " sparse_categorical_crossentropy.")
    String loss;

    @Option(names = "--from-logits", description = "The model outputs logits (crossentropy losses only).")
    boolean fromLogits;

    @Option(names = "--optimizer", paramLabel = "NAME",
            description = "Keras optimizer: sgd, adam, adamw, rmsprop, adagrad (default: MODEL's compiled optimizer,"
                    + " resumed; else adam).")
    String optimizer;

    @Option(names = "--fresh-optimizer",
            description = "Start the optimizer afresh (iterations 0, zero slots) even when MODEL holds a state it"
                    + " could resume from.")
    boolean freshOptimizer;

    @Option(names = {"--learning-rate", "--lr"}, paramLabel = "LR",
            description = "Learning rate, finite > 0 (default: Keras' for the optimizer: 0.01 for sgd, else 0.001).")
    Double learningRate;

    @Option(names = "--momentum", paramLabel = "M", description = "Momentum in [0, 1] (sgd, rmsprop).")
    Double momentum;

    @Option(names = "--nesterov", description = "Nesterov momentum (sgd).")
    boolean nesterov;

    @Option(names = "--weight-decay", paramLabel = "WD",
            description = "Decoupled weight decay, finite >= 0 (default for adamw: 0.004).")
    Double weightDecay;

    @Option(names = "--clipnorm", paramLabel = "C", description = "Clip each gradient to this norm (finite > 0).")
    Double clipnorm;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "1",
            description = "Epochs, >= 1 (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch-size", paramLabel = "B", defaultValue = "32",
            description = "Batch size, >= 1; more than the samples is one batch (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--no-shuffle",
            description = "Keep the samples' order in every epoch (as needed to reproduce Keras exactly).")
    boolean noShuffle;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0",
            description = "Seed for shuffling and dropout (default: ${DEFAULT-VALUE}); the same seed gives the same"
                    + " model.")
    long seed;

    @Option(names = "--validation-split", paramLabel = "F",
            description = "Hold out the last fraction F (0 <= F < 1; 0: none) of the samples, before shuffling, for"
                    + " val_loss.")
    Double validationSplit;

    @Option(names = "--validation-x", paramLabel = "VX.npy", description = "Validation inputs, one per model input.")
    List<Path> validationX = new ArrayList<>();

    @Option(names = "--validation-y", paramLabel = "VY.npy", description = "Validation targets, one per model output.")
    List<Path> validationY = new ArrayList<>();

    @Option(names = "--early-stopping-patience", paramLabel = "P",
            description = "Stop when val_loss (loss without validation data) has not improved for P (>= 0) epochs.")
    Integer patience;

    @Option(names = "--restore-best-weights",
            description = "With early stopping: save the weights of the best epoch rather than the last.")
    boolean restoreBestWeights;

    @Option(names = {"-o", "--output"}, paramLabel = "OUT", required = true,
            description = "Where to save the trained model: OUT.h5 (legacy HDF5), OUT.keras (Keras 3 archive, with the"
                    + " optimizer state) or OUT.jkm (native).")
    Path output;

    @Option(names = "--force", description = "Overwrite OUT, and the --plot and --history files, when they exist.")
    boolean force;

    @Option(names = "--plot", paramLabel = "FILE",
            description = "Chart of loss (and val_loss) per epoch: FILE.png or FILE.svg.")
    Path plot;

    @Option(names = "--history", paramLabel = "FILE",
            description = "Keras-style history JSON: {\"loss\": [...], \"val_loss\": [...]}.")
    Path history;

    @Option(names = "--progress", paramLabel = "MODE", defaultValue = "auto",
            description = "auto (a bar on a terminal, one line per epoch otherwise), bar, log or none (default:"
                    + " ${DEFAULT-VALUE}).")
    Progress progress;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        checkOptions();
        try (OutputFiles files = OutputFiles.create(force)) {
            files.inputs(args.inputFiles()).inputs(x).inputs(y).inputs(validationX).inputs(validationY);
            files.add("-o", output);
            if (history != null) files.add("--history", history);
            if (plot != null) files.add("--plot", plot);
            train(files);
        } catch (IOException e) {
            throw new JKerasException(null, null, null, "cannot write the outputs: " + e.getMessage(), e);
        }
    }

    /** Trains, then stages every output and moves them into place together: a failure anywhere writes nothing. */
    private void train(OutputFiles files) throws IOException {
        Model model = args.load();
        Tensor[] tx = read(x, "--x", model.inputCount(), "input", model);
        Tensor[] ty = read(y, "--y", model.outputCount(), "output", null);
        Tensor[] vx = validationX.isEmpty() ? null
                : read(validationX, "--validation-x", model.inputCount(), "input", model);
        Tensor[] vy = validationY.isEmpty() ? null
                : read(validationY, "--validation-y", model.outputCount(), "output", null);

        Loss lossFn = buildLoss();
        PrintWriter out = spec.commandLine().getOut();
        Resolved resolved = resolveOptimizer(model);
        KerasOptimizer opt = resolved.optimizer();
        out.println(Printable.escape(resolved.line()));
        out.flush();
        boolean hasValidation = vx != null || (validationSplit != null && validationSplit > 0);
        FitOptions fo = new FitOptions().loss(lossFn).optimizer(opt).epochs(epochs).batchSize(batchSize)
                .shuffle(!noShuffle).seed(seed);
        if (vx != null) fo.validationData(vx, vy);
        if (validationSplit != null) fo.validationSplit(validationSplit);
        if (patience != null) {
            fo.earlyStopping(new EarlyStopping(hasValidation ? "val_loss" : "loss", 0.0, patience, restoreBestWeights));
        }
        boolean terminal = switch (progress) {
            case auto -> ProgressBar.isInteractiveTerminal();
            case bar -> true;
            case log, none -> false;
        };
        ProgressBar bar = progress == Progress.none ? null : new ProgressBar(out, terminal, System::nanoTime);
        if (bar != null) fo.listener(bar);

        FitResult result;
        try {
            result = Trainer.fit(model, tx, ty, fo);
        } catch (RuntimeException e) {
            if (bar != null) bar.finishLine();
            throw e;
        }

        // Everything to write is prepared before the first write, so a failure here writes nothing.
        Map<String, List<Double>> curves = new LinkedHashMap<>();
        for (String k : new String[]{"loss", "val_loss"}) {
            if (!result.history().get(k).isEmpty()) curves.put(k, result.history().get(k));
        }
        byte[] historyJson = history == null ? null : historyJson(result);
        byte[] plotBytes = plot == null ? null
                : LossPlot.encode(plot, curves, "Training loss (" + lossFn.name() + ", " + opt.name() + ")",
                LossPlot.DEFAULT_WIDTH, LossPlot.DEFAULT_HEIGHT);

        boolean keras = outName(output).endsWith(".keras");
        Path stagedModel = files.stage(output); // ends in OUT's name, so the saver picks OUT's format
        if (keras) JKeras.save(result.model(), stagedModel, opt, lossConfig());
        else JKeras.save(result.model(), stagedModel);
        if (historyJson != null) files.write(history, o -> o.write(historyJson));
        if (plotBytes != null) files.write(plot, o -> o.write(plotBytes));
        files.commit();
        out.println(Printable.escape("wrote " + output + " (" + result.epochsRun() + " epoch"
                + (result.epochsRun() == 1 ? "" : "s")
                + lastValues(result) + ")"));
        out.println(keras ? "optimizer state saved: " + opt.name() + " at iterations " + opt.iterations()
                : "optimizer state not saved: " + (outName(output).endsWith(".jkm")
                ? "the native format holds none" : "Keras 3 does not restore one from .h5")
                + " (save as .keras to resume)");
        if (historyJson != null) out.println(Printable.escape("wrote " + history));
        if (plotBytes != null) out.println(Printable.escape("wrote " + plot));
        out.flush();
    }

    private static String outName(Path p) {
        return p.getFileName() == null ? "" : p.getFileName().toString().toLowerCase(Locale.ROOT);
    }

    /** Checks every option that needs no file, before anything is loaded. */
    private void checkOptions() {
        String l = loss.trim().toLowerCase(Locale.ROOT);
        if (!LOSSES.contains(l)) {
            throw usage("--loss '" + loss + "' is not supported; use one of mse, mae, huber, binary_crossentropy, "
                    + "categorical_crossentropy, sparse_categorical_crossentropy");
        }
        if (fromLogits && !l.endsWith("crossentropy")) throw usage(
                "--from-logits applies to the crossentropy losses only, not " + loss);
        if (optimizer != null) {
            String o = optimizer.trim().toLowerCase(Locale.ROOT);
            if (!OPTIMIZERS.contains(o)) throw usage("--optimizer '" + optimizer
                    + "' is not supported; use one of sgd, adam, adamw, rmsprop, adagrad");
            checkOptimizerFlags(o, optimizer);
        }
        // Keras: SGD refuses momentum outside [0, 1] (keras/src/optimizers/sgd.py:74, Keras 3.15.1); validation_split
        // 0 means none; a batch size above the sample count is one batch (Trainer.fit)
        new OptionRanges(spec).positive("--learning-rate", learningRate).between("--momentum", momentum, 0, 1, false)
                .nonNegative("--weight-decay", weightDecay).positive("--clipnorm", clipnorm)
                .ints("--epochs", epochs, 1, Integer.MAX_VALUE).ints("--batch-size", batchSize, 1, Integer.MAX_VALUE)
                .between("--validation-split", validationSplit, 0, 1, true)
                .ints("--early-stopping-patience", patience, 0, Integer.MAX_VALUE);
        if (validationX.isEmpty() != validationY.isEmpty()) throw usage(
                "--validation-x and --validation-y go together: give both or neither");
        if (validationSplit != null && !validationX.isEmpty()) throw usage(
                "give either --validation-split or --validation-x/--validation-y, not both");
        if (restoreBestWeights && patience == null) throw usage(
                "--restore-best-weights needs --early-stopping-patience");

        String outName = outName(output);
        if (JKeras.SAVE_EXTENSIONS.stream().noneMatch(outName::endsWith)) throw usage("-o " + output
                + ": the model file must end in " + String.join(", ", JKeras.SAVE_EXTENSIONS));
        if (plot != null && LossPlot.formatOf(plot) == null) throw usage("--plot " + plot
                + ": the plot file must end in .png or .svg");
        // the outputs themselves (existing files, special files, inputs) are checked by OutputFiles in run()
    }

    /** The flags that apply to some optimizers only, for optimizer {@code o} (lower case) named {@code shown}. */
    private void checkOptimizerFlags(String o, String shown) {
        if (momentum != null && !o.equals("sgd") && !o.equals("rmsprop")) throw usage(
                "--momentum applies to sgd and rmsprop, not " + shown);
        if (nesterov && !o.equals("sgd")) throw usage("--nesterov applies to sgd only, not " + shown);
    }

    /** A bad option value: one line on stderr, exit 2. */
    private static JKerasException usage(String msg) {
        return new JKerasException(msg);
    }

    /**
     * The {@code flag} files; with {@code inputsOf}, each header's shape is checked against that
     * model's input before its data is read.
     */
    private Tensor[] read(List<Path> files, String flag, int expected, String what, Model inputsOf) {
        if (files.size() != expected) {
            throw new InputException("the model has " + expected + " " + what + (expected == 1 ? "" : "s") + ": give "
                    + expected
                    + " " + flag + " file" + (expected == 1 ? "" : "s") + ", got " + files.size());
        }
        Tensor[] t = new Tensor[files.size()];
        for (int i = 0; i < t.length; i++) {
            t[i] = (inputsOf == null ? Npy.read(files.get(i)) : Npy.readInput(files.get(i), inputsOf, i)).tensor();
        }
        return t;
    }

    private Loss buildLoss() {
        Map<String, Object> c = new LinkedHashMap<>();
        if (fromLogits) c.put("from_logits", true);
        Map<String, Object> n = new LinkedHashMap<>();
        n.put("class_name", loss.trim().toLowerCase(Locale.ROOT));
        n.put("config", c);
        return Losses.fromConfig(n);
    }

    /** The optimizer to train with and the line that says whether it resumes MODEL's state. */
    record Resolved(KerasOptimizer optimizer, String line) {}

    private Resolved resolveOptimizer(Model model) {
        Path source = args.stateSource();
        TrainingState saved = null;
        String why = null;
        if (source == null) {
            why = "MODEL is a directory holding a config and weights only";
        } else {
            try {
                saved = JKeras.loadTrainingState(source, model).orElse(null);
                if (saved == null) why = "MODEL holds no optimizer state";
            } catch (JKerasException e) {
                why = "MODEL's optimizer state cannot be used: " + e.getMessage();
            }
        }
        if (optimizer == null && saved != null) {
            String cls = saved.optimizer().name();
            checkOptimizerFlags(cls.toLowerCase(Locale.ROOT), cls + " (MODEL's optimizer)");
            boolean overridden = learningRate != null || momentum != null || nesterov || weightDecay != null
                    || clipnorm != null;
            KerasOptimizer opt = overridden ? buildOptimizer(cls, saved.optimizer().kerasConfig()) : saved.optimizer();
            String config = "MODEL's config" + (overridden ? " with the flags given" : "");
            if (freshOptimizer || !saved.restored()) {
                if (!overridden) opt = buildOptimizer(cls, saved.optimizer().kerasConfig());
                return new Resolved(opt, "optimizer: fresh " + cls + " (" + config + "; "
                        + (freshOptimizer ? "--fresh-optimizer"
                        : "MODEL holds no optimizer variables") + ")");
            }
            return resume(opt, saved, ", " + config);
        }
        KerasOptimizer opt = buildOptimizer(optimizer == null ? "adam" : optimizer.trim().toLowerCase(Locale.ROOT),
                null);
        if (freshOptimizer) return new Resolved(opt, "optimizer: fresh " + opt.name() + " (--fresh-optimizer)");
        if (saved == null) return new Resolved(opt, "optimizer: fresh " + opt.name() + " (" + why + ")");
        if (!saved.optimizer().name().equals(opt.name())) {
            return new Resolved(opt, "optimizer: fresh " + opt.name() + " (MODEL's optimizer state is "
                    + saved.optimizer().name()
                    + "'s, not " + opt.name() + "'s)");
        }
        if (!saved.restored()) return new Resolved(opt, "optimizer: fresh " + opt.name()
                + " (MODEL holds no optimizer variables)");
        return resume(opt, saved, "");
    }

    /** {@code opt} with the saved iterations and slots, or fresh when they do not fit it. */
    private static Resolved resume(KerasOptimizer opt, TrainingState saved, String config) {
        if (saved.iterations() == 0 && saved.optimizer().exportState().slots().isEmpty()) {
            // saved after compile(), before any update: nothing to resume
            return new Resolved(opt, "optimizer: fresh " + opt.name() + " (MODEL's optimizer has made no update yet"
                    + config + ")");
        }
        if (opt != saved.optimizer()) {
            try {
                opt.importState(saved.optimizer().exportState());
            } catch (InputException e) {
                return new Resolved(opt, "optimizer: fresh " + opt.name() + " (MODEL's " + saved.optimizer().name()
                        + " state does not fit it: " + e.getMessage() + config + ")");
            }
        }
        return new Resolved(opt, "optimizer: resumed " + opt.name() + " from MODEL's state (iterations "
                + opt.iterations() + config + ")");
    }

    /**
     * An optimizer of class {@code cls} from {@code base} (a Keras config, or null for Keras' defaults) and the flags
     * given.
     */
    private KerasOptimizer buildOptimizer(String cls, Map<String, Object> base) {
        Map<String, Object> c = base != null ? new LinkedHashMap<>(base) : new LinkedHashMap<>();
        if (learningRate != null) c.put("learning_rate", learningRate);
        if (momentum != null) c.put("momentum", momentum);
        if (nesterov) c.put("nesterov", true);
        if (weightDecay != null) c.put("weight_decay", weightDecay);
        if (clipnorm != null) {
            c.put("clipnorm", clipnorm);
            c.put("clipvalue", null);
            c.put("global_clipnorm", null);
        }
        return Optimizers.create(cls, c);
    }

    /** The loss as the saved compile config names it: Keras' full name, or a serialized loss when from logits. */
    private LossConfig lossConfig() {
        String l = switch (loss.trim().toLowerCase(Locale.ROOT)) {
            case "mse" -> "mean_squared_error";
            case "mae" -> "mean_absolute_error";
            default -> loss.trim().toLowerCase(Locale.ROOT);
        };
        if (!fromLogits) return LossConfig.name(l);
        String cls = switch (l) {
            case "binary_crossentropy" -> "BinaryCrossentropy";
            case "categorical_crossentropy" -> "CategoricalCrossentropy";
            default -> "SparseCategoricalCrossentropy";
        };
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", l);
        c.put("reduction", "sum_over_batch_size");
        c.put("from_logits", true);
        return LossConfig.serialized(cls, c);
    }

    private static String lastValues(FitResult r) {
        StringBuilder sb = new StringBuilder();
        for (String k : new String[]{"loss", "val_loss"}) {
            List<Double> v = r.history().get(k);
            if (!v.isEmpty()) sb.append(", ").append(k).append(' ').append(ProgressBar.fmt6(v.get(v.size() - 1)));
        }
        return sb.toString();
    }

    private static byte[] historyJson(FitResult r) {
        return io.jkeras.util.Json.ofPlain(r.history().asMap()).toPrettyBytes();
    }
}
