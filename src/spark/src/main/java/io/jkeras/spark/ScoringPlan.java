package io.jkeras.spark;

import java.io.Serializable;

/**
 * What the executors need to score a partition, besides the model: where each model input is in the row
 * ({@code inputIndex[i]}, for input i in the model's order), the batch size, the bad-row policy, the threads each
 * task's model may use, whether ragged sequences are padded for a mask, and whether outputs are written flat.
 * Immutable; the arrays are copied in and never handed out.
 */
record ScoringPlan(String[] inputCols, int[] inputIndex, int batchSize, BadRowPolicy policy, int threads,
        boolean padMasked, boolean flatOutputs) implements Serializable {
    ScoringPlan {
        inputCols = inputCols.clone();
        inputIndex = inputIndex.clone();
    }

    String inputCol(int i) { return inputCols[i]; }

    int inputIndex(int i) { return inputIndex[i]; }

    int inputCount() { return inputIndex.length; }
}
