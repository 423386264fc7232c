package io.jkeras.train;

import io.jkeras.model.Model;

/**
 * The outcome of {@link Trainer#fit}: the trained model (an engine {@link Model} holding the final
 * weights, or the restored best ones with early stopping), Keras-style per-epoch history, the
 * optimizer's state (null for optimizers that are not {@link io.jkeras.train.KerasOptimizer}s)
 * and the training graph, which keeps the parameters and any carried stateful state.
 */
public record FitResult(Model model, History history, OptimizerState optimizerState, TrainGraph graph, int epochsRun) {}
