package io.jkeras.spark;

import io.jkeras.exceptions.InputException;
import io.jkeras.fixtures.FixtureCase;
import io.jkeras.model.Model;
import io.jkeras.tensor.Tensor;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Rows the model cannot take (null, ragged, wrong feature or timestep count) under both policies, padding for a
 * mask, and a variable time axis. lstm_default takes (6, 4) sequences.
 */
class BadRowsTest {
    static final FixtureCase LSTM = JKerasModelTest.fixture("lstm_default");

    /** Row k of lstm_default's x0 as timesteps × features. */
    static float[][] good(int k) {
        Object[] o = (Object[]) SparkTests.sample(LSTM.x(0, 0), k, false);
        return Arrays.copyOf(o, o.length, float[][].class);
    }

    /** The bad cells, by name: each with the words its error must hold. */
    static Object bad(String kind) {
        float[][] x = good(0);
        switch (kind) {
            case "null":
                return null;
            case "ragged":
                x[2] = Arrays.copyOf(x[2], 3);
                return x;
            case "features":
                for (int t = 0; t < x.length; t++) x[t] = Arrays.copyOf(x[t], 5);
                return x;
            case "timesteps":
                return Arrays.copyOf(x, 5);
            case "nullElement":
                return new Object[]{x[0], x[1], new Float[]{1f, null, 2f, 3f}, x[3], x[4], x[5]};
            default:
                throw new IllegalArgumentException(kind);
        }
    }

    static Dataset<Row> frame(Object... cells) {
        StructType s = new StructType().add("id", DataTypes.IntegerType).add("x", SparkTests.floats(2));
        List<Row> rows = new ArrayList<>();
        for (int k = 0; k < cells.length; k++) rows.add(RowFactory.create(k, cells[k]));
        return SparkTests.frame(rows, s, 1);
    }

    static JKerasModel model() {
        return new JKerasModel().setModelPath(JKerasModelTest.path(LSTM)).setBatchSize(8);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "null|column 'x' of row 1 in partition 0 is null",
        "ragged|column 'x' of row 1 in partition 0 is ragged: 3 features at [2], 4 before",
        "features|column 'x' of row 1 in partition 0 has 5 features at [0], the input takes 4",
        "timesteps|column 'x' of row 1 in partition 0 has 5 timesteps, the input takes 6",
        "nullElement|column 'x' of row 1 in partition 0 is null at [2][1]"})
    void failPolicyStopsTheJobNamingRowAndColumn(String kind, String message) {
        Dataset<Row> df = frame(good(0), bad(kind), good(1));
        assertThatThrownBy(() -> model().transform(df).collectAsList())
                .satisfies(e -> assertThat(cause(e)).isInstanceOf(InputException.class).hasMessage(message));
    }

    static Throwable cause(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) if (c instanceof InputException) return c;
        return e;
    }

    @Test
    void nullPolicyNullsBadRowsWithTheirErrorAndScoresTheOthers() {
        Dataset<Row> df = frame(good(0), bad("null"), bad("ragged"), bad("features"), bad("timesteps"), good(1));
        List<Row> rows = SparkTests.byId(model().setBadRows(BadRowPolicy.NULL).transform(df));
        Model m = LSTM.load();
        Tensor both = m.predict(new float[][][]{good(0), good(1)});
        assertThat(SparkTests.flat(rows, "y").get(0)).containsExactly(SparkTests.row(both, 0));
        assertThat(SparkTests.flat(rows, "y").get(5)).containsExactly(SparkTests.row(both, 1));
        assertThat(rows.get(0).isNullAt(rows.get(0).fieldIndex("jkeras_error"))).isTrue();
        List<String> errors = new ArrayList<>();
        for (int k = 1; k <= 4; k++) {
            assertThat(rows.get(k).isNullAt(rows.get(k).fieldIndex("y"))).as("row " + k).isTrue();
            errors.add(rows.get(k).getAs("jkeras_error"));
        }
        assertThat(errors).containsExactly("column 'x' of row 1 in partition 0 is null",
                "column 'x' of row 2 in partition 0 is ragged: 3 features at [2], 4 before",
                "column 'x' of row 3 in partition 0 has 5 features at [0], the input takes 4",
                "column 'x' of row 4 in partition 0 has 5 timesteps, the input takes 6");
    }

    /**
     * A NaN passes the decoding but the model refuses it (InputPolicy.REJECT): under NULL the batch is scored again
     * row by row and only that row is null, with the model's message; under FAIL the job stops naming the rows.
     */
    @Test
    void aRowTheModelRefusesIsNulledAloneUnderNullAndNamedUnderFail() {
        float[][] nan = good(1);
        nan[3][2] = Float.NaN;
        Dataset<Row> df = frame(good(0), nan, good(2));
        List<Row> rows = SparkTests.byId(model().setBadRows(BadRowPolicy.NULL).transform(df));
        Model m = LSTM.load();
        assertThat(SparkTests.flat(rows, "y").get(0)).containsExactly(m.predict(new float[][][]{good(0)}).data());
        assertThat(SparkTests.flat(rows, "y").get(2)).containsExactly(m.predict(new float[][][]{good(2)}).data());
        assertThat(rows.get(1).isNullAt(rows.get(1).fieldIndex("y"))).isTrue();
        assertThat(rows.get(1).<String>getAs("jkeras_error")).startsWith("model '")
                .contains("on row 1 in partition 0: ").containsIgnoringCase("nan");
        assertThatThrownBy(() -> model().transform(df).collectAsList())
                .satisfies(e -> assertThat(cause(e)).hasMessageContaining("on rows 0…2 in partition 0: ")
                        .hasMessageContainingAll("NaN"));
    }

    /**
     * masking_lstm_lstm's sample 2 ends in two all-zero timesteps, which Masking(0.0) masks: given as its first
     * five timesteps with padMasked, the row is padded back and scores as the whole fixture batch does, and within
     * the case's tolerance of Keras' own output. Likewise sample 0 of embedding_mask_lstm without its trailing 0 ids.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"masking_lstm_lstm|2|5|has 5 timesteps, the input takes 7",
        "embedding_mask_lstm|0|4|holds 4 values, the input's shape (7,) takes 7"})
    void padMaskedPadsShortSequencesWithTheMaskedValue(String name, int row, int keep, String refusal) {
        FixtureCase c = JKerasModelTest.fixture(name);
        Model m = c.load();
        Tensor x = c.x(0, 0);
        boolean ids = SparkTests.ids(m)[0];
        StructType s = new StructType().add("id", DataTypes.IntegerType)
                .add("x", ids ? DataTypes.createArrayType(DataTypes.IntegerType) : SparkTests.floats(2));
        List<Row> rows = new ArrayList<>();
        for (int k = 0; k < x.dim(0); k++) {
            Object cell = SparkTests.sample(x, k, ids);
            if (k == row) cell = ids ? Arrays.copyOf((int[]) cell, keep) : Arrays.copyOf((Object[]) cell, keep);
            rows.add(RowFactory.create(k, cell));
        }
        Dataset<Row> df = SparkTests.frame(rows, s, 1);
        JKerasModel t = new JKerasModel().setModelPath(JKerasModelTest.path(c)).setBatchSize(16);
        List<Row> got = SparkTests.byId(t.setPadMasked(true).transform(df));
        Tensor want = m.predict(x)[0];
        Tensor keras = c.y(0, 0);
        for (int k = 0; k < x.dim(0); k++) {
            assertThat(SparkTests.flat(got, "y").get(k)).as("row " + k).containsExactly(SparkTests.row(want, k));
        }
        float[] g = SparkTests.flat(got, "y").get(row);
        float[] k = SparkTests.row(keras, row);
        for (int i = 0; i < k.length; i++) assertThat((double) g[i]).isCloseTo(k[i], org.assertj.core.data.Offset
                .offset(c.atol()));
        assertThatThrownBy(() -> t.setPadMasked(false).transform(df).collectAsList())
                .satisfies(e -> assertThat(cause(e)).hasMessageEndingWith(refusal));
    }

    @Test
    void padMaskedRefusesAModelWithoutAMask() {
        assertThatThrownBy(() -> model().setPadMasked(true).transform(frame(new Object[]{good(0)})))
                .isInstanceOf(InputException.class)
                .hasMessageContaining("no Masking or Embedding(mask_zero=True) reading input");
    }

    /** graph_variable_time takes (None, 3): its two batches (T=4 and T=9) mixed in one frame score as apart. */
    @Test
    void rowsOfAVariableTimeAxisAreScoredInGroupsOfOneLength() {
        FixtureCase c = JKerasModelTest.fixture("graph_variable_time");
        Model m = c.load();
        Tensor a = c.x(0, 0), b = c.x(1, 0);
        StructType s = new StructType().add("id", DataTypes.IntegerType).add("x", SparkTests.floats(2));
        List<Row> rows = new ArrayList<>();
        int n = a.dim(0) + b.dim(0);
        for (int k = 0; k < n; k++) {
            // interleaved: a0 b0 a1 b1 …
            Tensor t = k % 2 == 0 ? a : b;
            rows.add(RowFactory.create(k, SparkTests.sample(t, k / 2, false)));
        }
        assertThat(a.dim(0)).isEqualTo(b.dim(0));
        Dataset<Row> df = SparkTests.frame(rows, s, 1);
        List<Row> got = SparkTests.byId(new JKerasModel().setModelPath(JKerasModelTest.path(c)).setBatchSize(64)
                .transform(df));
        Tensor ya = m.predict(a)[0], yb = m.predict(b)[0];
        for (int k = 0; k < n; k++) {
            assertThat(SparkTests.flat(got, "y").get(k)).as("row " + k)
                    .containsExactly(SparkTests.row(k % 2 == 0 ? ya : yb, k / 2));
        }
    }
}
