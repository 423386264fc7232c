package io.jkeras.keras;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jkeras.exceptions.InputException;
import io.jkeras.train.KerasOptimizer;
import io.jkeras.train.Loss;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Keras optimizer and loss configs in JSON, read into the training types and written back. */
class KerasOptimizersTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aScheduleConfigComesBackWithTheSameJsonTypes() throws Exception {
        String schedule = "{\"module\": \"keras.optimizers.schedules\", \"class_name\": \"ExponentialDecay\","
                + " \"config\":"
                + " {\"initial_learning_rate\": 0.1, \"decay_steps\": 3, \"decay_rate\": 0.5, \"staircase\": true,"
                + " \"name\": \"ExponentialDecay\"}, \"registered_name\": null}";
        KerasOptimizer sgd = KerasOptimizers.byName("{\"class_name\": \"SGD\", \"config\": {\"learning_rate\": "
                + schedule
                + ", \"momentum\": 0.5}}");
        assertThat(sgd.learningRateIsSchedule()).isTrue();
        assertThat(sgd.learningRateAt(3)).isEqualTo((float) 0.05);
        JsonNode lr = KerasOptimizers.toJson(sgd).get("learning_rate");
        assertThat(lr).isEqualTo(JSON.readTree(schedule));
        assertThat(lr.get("config").get("decay_steps").isInt()).as("an integer stays an integer").isTrue();
        assertThat(KerasOptimizers.toJson(sgd).get("momentum").asDouble()).isEqualTo(0.5);
        assertThat(KerasOptimizers.toJson(sgd).get("clipnorm").isNull()).isTrue();
    }

    @Test
    void aNumberLearningRateIsWrittenAsFloat32() {
        KerasOptimizer adam = KerasOptimizers.fromJson(JSON.valueToTree(Map.of("name", "adam", "learning_rate", 0.1)));
        assertThat(KerasOptimizers.toJson(adam).get("learning_rate").asDouble()).isEqualTo((double) 0.1f);
        assertThat(KerasOptimizers.toJson(adam).get("name").asText()).isEqualTo("adam");
    }

    @Test
    void namesAndJsonLossesAreRead() {
        Loss bce = KerasLosses.byName("{\"class_name\": \"BinaryCrossentropy\", \"config\": {\"from_logits\": true}}");
        assertThat(bce.name()).isEqualTo(KerasLosses.byName("binary_crossentropy").name());
        assertThat(KerasLosses.byName("\"mse\"").name()).isEqualTo("mean_squared_error");
    }

    @Test
    void malformedJsonIsAnInputError() {
        assertThatThrownBy(() -> KerasOptimizers.byName("{\"class_name\": ")).isInstanceOf(InputException.class)
                .hasMessageContaining("optimizer config is not valid JSON");
        assertThatThrownBy(() -> KerasLosses.byName("{oops")).isInstanceOf(InputException.class)
                .hasMessageContaining("loss config is not valid JSON");
    }
}
