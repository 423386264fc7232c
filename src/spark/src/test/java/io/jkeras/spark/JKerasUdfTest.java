package io.jkeras.spark;

import io.jkeras.fixtures.FixtureCase;
import io.jkeras.model.Model;
import io.jkeras.tensor.Tensor;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code jkeras_predict(model_name, x)} in SQL: each row as a batch of one, bit for bit. */
class JKerasUdfTest {

    @Test
    void sqlScoresEachRowAsPredictOnItAlone() {
        FixtureCase gru = JKerasModelTest.fixture("gru_default");
        FixtureCase emb = JKerasModelTest.fixture("embedding_mask_gru");
        JKerasUdf.register(SparkTests.spark(), "gru", JKerasModelTest.path(gru));
        JKerasUdf.register(SparkTests.spark(), "emb", JKerasModelTest.path(emb));
        SparkTests.frame(new Tensor[]{gru.x(0, 0)}, new String[]{"x"}, new boolean[]{false}, 2)
                .createOrReplaceTempView("seqs");
        SparkTests.frame(new Tensor[]{emb.x(0, 0)}, new String[]{"ids"}, new boolean[]{true}, 2)
                .createOrReplaceTempView("tokens");
        check(gru, SparkTests.spark().sql("SELECT id, jkeras_predict('gru', x) AS y FROM seqs ORDER BY id")
                .collectAsList());
        check(emb, SparkTests.spark().sql("SELECT id, jkeras_predict('emb', ids) AS y FROM tokens ORDER BY id")
                .collectAsList());
        assertThat(SparkTests.spark().sql("SELECT jkeras_predict('gru', CAST(NULL AS array<array<float>>)) AS y")
                .first().isNullAt(0)).isTrue();
    }

    private static void check(FixtureCase c, List<Row> rows) {
        Model m = c.load();
        Tensor x = c.x(0, 0);
        assertThat(rows).hasSize(x.dim(0));
        for (int k = 0; k < x.dim(0); k++) {
            assertThat(SparkTests.flat(rows, "y").get(k)).as(c.name() + " row " + k)
                    .containsExactly(m.predict(JKerasModelTest.slice(x, k))[0].data());
        }
    }

    @Test
    void anUnknownModelNameIsAnErrorListingTheRegisteredOnes() {
        JKerasUdf.register(SparkTests.spark(), "lstm", JKerasModelTest.path(JKerasModelTest.fixture("lstm_default")));
        assertThatThrownBy(() -> SparkTests.spark().sql(
                "SELECT jkeras_predict('nope', array(array(1.0F, 2.0F, 3.0F, 4.0F))) AS y").collectAsList())
                .satisfies(e -> assertThat(BadRowsTest.cause(e)).hasMessageContaining("no model named 'nope'")
                        .hasMessageContaining("lstm"));
    }

    @Test
    void aModelWithSeveralInputsIsRefusedAtRegistration() {
        assertThatThrownBy(() -> JKerasUdf.register(SparkTests.spark(), "two",
                JKerasModelTest.path(JKerasModelTest.fixture("graph_two_in_two_out"))))
                .hasMessageContaining("takes single-input, single-output models; this one has 2 inputs and 2 outputs");
    }
}
