package io.jkeras.spark;

/** What scoring does with a row it cannot score: a null, a ragged sequence, a wrong feature or timestep count. */
public enum BadRowPolicy {
    /** The default: the job fails with an error naming the row (partition and index) and the column. */
    FAIL,
    /** The row's outputs are null and its error column says why; the other rows are scored. */
    NULL
}
