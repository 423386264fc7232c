package io.jkeras.serve;

import io.jkeras.exceptions.UnsupportedModelException;
import io.jkeras.model.Model;
import io.jkeras.model.SampleInputs;
import io.jkeras.model.Session;
import io.jkeras.model.TensorSpec;
import io.jkeras.tensor.Tensor;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** One model the server answers for: its name, specs with unique output names, and its sessions. */
final class ServedModel {
    final String name;
    final Model model;
    final List<TensorSpec> inputs;
    final List<String> outputNames;
    final List<TensorSpec> outputs;
    /** Null when a session can feed the model a chunk at a time ({@link Session#steps}), else why not. */
    final String noStream;
    final SessionStore sessions;

    ServedModel(String name, Model model, Duration idle, Path stateDir) {
        this.name = name;
        this.model = model;
        this.inputs = model.inputs();
        this.outputs = model.outputs();
        List<String> names = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < outputs.size(); i++) {
            String n = outputs.get(i).name();
            names.add(seen.add(n) ? n : n + "_" + i);   // two outputs of one layer: the second gets its index
        }
        this.outputNames = List.copyOf(names);
        this.noStream = streamRefusal(model);
        this.sessions = new SessionStore(name, idle, stateDir);
    }

    private static String streamRefusal(Model m) {
        int batch = 1;
        for (int i = 0; i < m.inputCount(); i++) batch = Math.max(batch, m.input(i).batchSize());
        try {
            m.newSession().steps(SampleInputs.random(m, batch, 1, 0));
            return null;
        } catch (UnsupportedModelException e) {
            return e.getMessage();
        }
    }

    int inputIndex(String inputName) {
        for (int i = 0; i < inputs.size(); i++) if (inputs.get(i).name().equals(inputName)) return i;
        return -1;
    }

    String inputList() {
        List<String> l = new ArrayList<>();
        for (TensorSpec s : inputs) l.add(s.name());
        return String.join(", ", l);
    }

    /** Runs the model: stateless without a session id, else continuing the id's session. */
    Tensor[] run(Tensor[] in, String sessionId) {
        if (sessionId == null) return model.predict(in);
        if (noStream != null && !model.stateful()) {
            throw new HttpProblem(400, "model '" + name + "' cannot keep a session: " + noStream);
        }
        return sessions.with(sessionId, model, s -> noStream == null ? s.steps(in) : s.predict(in));
    }
}
