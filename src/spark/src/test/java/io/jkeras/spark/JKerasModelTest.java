package io.jkeras.spark;

import io.jkeras.fixtures.FixtureCase;
import io.jkeras.model.Model;
import io.jkeras.tensor.Tensor;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The Transformer in local[2] on fixtures/keras3 cases: every output equal to {@link Model#predict}, bit for bit. */
class JKerasModelTest {

    static FixtureCase fixture(String name) {
        return FixtureCase.all("keras3").stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    static String path(FixtureCase c) { return c.dir().resolve("model.h5").toString(); }

    /**
     * A row's output can differ by an ulp with the batch it is computed in (the kernels pick their path by batch
     * size), so each check scores the same batches both ways: one row per batch over two partitions, then every
     * row in one batch of one partition.
     */
    @ParameterizedTest
    @ValueSource(strings = {"lstm_default", "gru_default", "lstm_return_sequences", "graph_two_in_two_out",
            "embedding_mask_lstm", "masking_lstm_lstm", "stack_lstm_lstm_dense", "bidir_lstm_concat_seq"})
    void scoresEachRowAsPredictDoesBitForBit(String name) {
        FixtureCase c = fixture(name);
        Model m = c.load();
        Tensor[] x = new Tensor[c.inputs()];
        String[] cols = new String[x.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = c.x(0, i);
            cols[i] = "in" + i;
        }
        int n = x[0].dim(0);
        Tensor[][] alone = new Tensor[n][];
        for (int k = 0; k < n; k++) {
            Tensor[] one = new Tensor[x.length];
            for (int i = 0; i < x.length; i++) one[i] = slice(x[i], k);
            alone[k] = m.predict(one);
        }
        Tensor[] together = m.predict(x);
        JKerasModel t = new JKerasModel().setModelPath(path(c)).setInputCols(cols);
        List<Row> oneByOne = SparkTests.byId(t.setBatchSize(1).transform(SparkTests.frame(x, cols, SparkTests.ids(m),
                2)));
        List<Row> oneBatch = SparkTests.byId(t.setBatchSize(n).transform(SparkTests.frame(x, cols, SparkTests.ids(m),
                1)));
        assertThat(oneByOne).hasSize(n);
        assertThat(oneBatch).hasSize(n);
        for (int j = 0; j < together.length; j++) {
            String col = together.length == 1 ? "y" : "y" + j;
            for (int k = 0; k < n; k++) {
                assertThat(SparkTests.flat(oneByOne, col).get(k)).as(name + " output " + j + " row " + k + " alone")
                        .containsExactly(alone[k][j].data());
                assertThat(SparkTests.flat(oneBatch, col).get(k)).as(name + " output " + j + " row " + k)
                        .containsExactly(SparkTests.row(together[j], k));
            }
        }
    }

    /** A sequence given flat ({@code array<float>}, C order; the model declares its shape) scores as nested. */
    @org.junit.jupiter.api.Test
    void aFlatArrayInCOrderScoresAsTheNestedSequence() {
        FixtureCase c = fixture("lstm_default");
        Model m = c.load();
        Tensor x = c.x(0, 0);
        int n = x.dim(0);
        org.apache.spark.sql.types.StructType schema = new org.apache.spark.sql.types.StructType()
                .add("id", org.apache.spark.sql.types.DataTypes.IntegerType, false).add("x", SparkTests.floats(1));
        List<Row> rows = new java.util.ArrayList<>();
        for (int k = 0; k < n; k++) rows.add(org.apache.spark.sql.RowFactory.create(k, SparkTests.row(x, k)));
        List<Row> got = SparkTests.byId(new JKerasModel().setModelPath(path(c)).setInputCols(new String[]{"x"})
                .setBatchSize(n).transform(SparkTests.frame(rows, schema, 1)));
        Tensor want = m.predict(x)[0];
        assertThat(got).hasSize(n);
        for (int k = 0; k < n; k++) {
            assertThat(SparkTests.flat(got, "y").get(k)).as("row " + k).containsExactly(SparkTests.row(want, k));
        }
    }

    /** Sample k of a batch, as a batch of one. */
    static Tensor slice(Tensor t, int k) {
        int[] s = t.shape();
        s[0] = 1;
        return new Tensor(s, SparkTests.row(t, k));
    }
}
