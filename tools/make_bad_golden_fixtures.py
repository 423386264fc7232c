#!/usr/bin/env python3
"""Writes the golden-check and option-range misuse cases: fixtures/bad/golden/ and fixtures/bad/cli/golden.json.

fixtures/bad/golden/ holds the few crafted files the cases need (made from fixtures/keras3/ with numpy, and
one two-input Keras model); fixtures/bad/cli/golden.json lists the CLI cases in the schema of
fixtures/bad/cli/ (run by src/cli/src/test/java/io/jkeras/cli/BadCliCasesTest.java): each with the exit code and the
fragments its one error line (or its output) must contain.

    KERAS_BACKEND=tensorflow .venv/bin/python tools/make_bad_golden_fixtures.py

Deterministic: fixed values, no random numbers; Keras 3 is needed for the two-input model only, and is
asked to confirm that it refuses what jkeras must refuse.
"""
import json
import os

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOOD = os.path.join(ROOT, "fixtures", "keras3")
OUT = os.path.join(ROOT, "fixtures", "bad", "golden")
TABLE = os.path.join(ROOT, "fixtures", "bad", "cli", "golden.json")


def good(case, f):
    return np.load(os.path.join(GOOD, case, f))


def save(name, a):
    np.save(os.path.join(OUT, name), a)


def write_files():
    os.makedirs(OUT, exist_ok=True)
    # graph_two_in_two_out takes (2, 5, 3) and (2, 7, 2): a second input of batch 3
    x1 = good("graph_two_in_two_out", "x1.npy")
    save("graph_two_in_two_out_x1_batch3.npy", np.concatenate([x1, x1[:1]]).astype(np.float32))
    # lstm_default's expected output off by 5 everywhere: only a tolerance > 5 passes it
    save("lstm_default_y0_off_by_5.npy", (good("lstm_default", "y0.npy") + 5).astype(np.float32))
    # lstm_default training data with 0 samples
    x0, y0 = good("lstm_default", "x0.npy"), good("lstm_default", "y0.npy")
    save("lstm_default_x_0_samples.npy", x0[:0])
    save("lstm_default_y_0_samples.npy", y0[:0])
    two_input_merge_model()


def two_input_merge_model():
    """Add and Multiply of two (4,) inputs; inputs of batch 1 and 2, which Keras refuses to predict on."""
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    import keras
    a, b = keras.Input((4,), name="a"), keras.Input((4,), name="b")
    m = keras.Model([a, b], [keras.layers.Add(name="add")([a, b]), keras.layers.Multiply(name="multiply")([a, b])])
    m.save(os.path.join(OUT, "add_multiply_two_inputs.h5"))
    xa = np.arange(4, dtype=np.float32).reshape(1, 4)
    xb = np.arange(8, dtype=np.float32).reshape(2, 4)
    save("add_multiply_a_batch1.npy", xa)
    save("add_multiply_b_batch2.npy", xb)
    try:
        m.predict([xa, xb], verbose=0)
    except ValueError as e:
        assert "cardinality" in str(e), e
    else:
        raise SystemExit("Keras predicted on inputs of batch 1 and 2; the fixture no longer shows a misuse")


LSTM = "fixtures/keras3/lstm_default"
CASE = [{"copy": LSTM, "to": "case"}]
OFF5 = CASE + [{"copy": "fixtures/bad/golden/lstm_default_y0_off_by_5.npy", "to": "case/y0.npy"}]
VERIFY = ["verify", "{tmp}/case/model.h5", "--golden", "{tmp}/case"]
RULE = "a tolerance is a finite number >= 0 and at most 0.01"
TRAIN = ["train", "{fixtures}/keras3/lstm_default/model.h5", "--x", "{fixtures}/keras3/lstm_default/x0.npy",
         "--y", "{fixtures}/bad/golden/lstm_default_y0_off_by_5.npy", "--loss", "mse", "--progress", "none",
         "-o", "{tmp}/out.h5"]
BENCH = ["bench", "{fixtures}/keras3/lstm_default/model.h5"]
RECORD = ["golden", "record", "{fixtures}/keras3/lstm_default/model.h5", "-i", "{fixtures}/keras3/lstm_default/x0.npy",
          "--dir", "{tmp}/g"]
CONVERT = ["convert", "{fixtures}/keras3/lstm_default/model.h5", "{tmp}/m.jkm", "--embed-check"]


def c(name, case, args, exit_, stderr=(), stdout=(), setup=(), created=()):
    return {"name": name, "case": case, "setup": list(setup), "args": list(args), "exit": exit_,
            "stderr_contains": list(stderr), "stdout_contains": list(stdout), "created": list(created)}


def golden_json(text):
    return [{"write": text, "to": "case/golden.json"}]


CASES = [
    # 1. golden checks that cannot fail
    c("verify_golden_json_atol_1e999", "golden.json with atol 1e999 made verify PASS outputs off by 5",
      VERIFY, 2, ["golden.json", "'atol' is 1E+999", RULE], setup=OFF5 + golden_json('{"atol": 1e999}')),
    c("verify_golden_json_atol_string", "golden.json with atol \"1e9\" (a string) was silently ignored",
      VERIFY, 2, ["golden.json", "'atol' is \"1e9\"", "must be a number"], setup=OFF5 + golden_json('{"atol": "1e9"}')),
    c("verify_golden_json_atol_loose", "golden.json with atol 6 passes outputs off by 5; it needs --allow-loose-tolerance",
      VERIFY, 2, ["golden.json", "'atol' is 6", "--allow-loose-tolerance"], setup=OFF5 + golden_json('{"atol": 6}')),
    c("verify_golden_json_unknown_key", "golden.json with a misspelt key 'atoll' was silently ignored",
      VERIFY, 2, ["golden.json", "unknown key 'atoll'", "atol, batches, description"],
      setup=CASE + golden_json('{"atol": 1e-5, "atoll": 1}')),
    c("verify_golden_json_rtol_negative", "golden.json with rtol -1 made every comparison fail as a FAIL, not an error",
      VERIFY, 2, ["golden.json", "'rtol' is -1", RULE], setup=CASE + golden_json('{"rtol": -1}')),
    c("verify_atol_negative", "verify --atol -1 gave exit 1 FAIL instead of a usage error",
      VERIFY + ["--atol", "-1"], 2, ["--atol -1", RULE], setup=CASE),
    c("verify_atol_nan", "verify --atol NaN gave exit 1 FAIL instead of a usage error",
      VERIFY + ["--atol", "NaN"], 2, ["--atol NaN", RULE], setup=CASE),
    c("verify_rtol_infinity", "verify --rtol Infinity passed everything",
      VERIFY + ["--rtol", "Infinity"], 2, ["--rtol Infinity", RULE], setup=OFF5),
    c("verify_atol_loose_refused", "verify --atol 6 passed outputs off by 5 without saying so",
      VERIFY + ["--atol", "6"], 2, ["--atol 6", "--allow-loose-tolerance"], setup=OFF5),
    c("verify_atol_loose_allowed_is_named", "with --allow-loose-tolerance the verdict says the tolerance was loose",
      VERIFY + ["--atol", "6", "--allow-loose-tolerance"], 0, [],
      ["tolerance: atol 6 (--atol), rtol 0 (default), looser than the maximum 0.01", "PASS (LOOSE tolerance"], setup=OFF5),
    c("verify_prints_tolerance_source", "verify prints the tolerance it used and where each value came from",
      VERIFY + ["--rtol", "0.001"], 0, [], ["tolerance: atol 0.0001 (golden.json), rtol 0.001 (--rtol)", "PASS"],
      setup=CASE + golden_json('{"atol": 1e-4}')),
    c("golden_record_atol_negative", "golden record --atol -1 was refused only after the model ran",
      RECORD + ["--atol", "-1"], 2, ["--atol -1", RULE]),
    c("golden_record_rtol_nan", "golden record --rtol NaN", RECORD + ["--rtol", "NaN"], 2, ["--rtol NaN", RULE]),
    c("golden_record_atol_loose", "golden record --atol 0.5 wrote a case whose check passes anything",
      RECORD + ["--atol", "0.5"], 2, ["--atol 0.5", "--allow-loose-tolerance"]),
    c("convert_check_atol_negative", "convert --embed-check --check-atol -1 gave exit 3 with a stack trace",
      CONVERT + ["--check-atol", "-1"], 2, ["--check-atol -1", RULE]),
    c("convert_check_atol_nan", "convert --embed-check --check-atol NaN gave exit 3 with a stack trace",
      CONVERT + ["--check-atol", "NaN"], 2, ["--check-atol NaN", RULE]),
    c("convert_check_rtol_loose", "convert --embed-check --check-rtol 0.5 embedded a check that cannot fail",
      CONVERT + ["--check-rtol", "0.5"], 2, ["--check-rtol 0.5", RULE]),
    c("summary_jkm_check_atol_huge", "a .jkm whose embedded check has atol 1e300 loaded, its check passing anything",
      ["summary", "{fixtures}/bad/jkm_check_atol_huge.jkm"], 2, ["embedded check 0", "'atol' 1.0E300", RULE]),
    # 2. silently wrong results
    c("predict_inputs_of_different_batch", "predict with x0 of batch 2 and x1 of batch 3 exited 0",
      ["predict", "{fixtures}/keras3/graph_two_in_two_out/model.h5", "-i", "{fixtures}/keras3/graph_two_in_two_out/x0.npy",
       "-i", "{fixtures}/bad/golden/graph_two_in_two_out_x1_batch3.npy", "-o", "{tmp}/y0.npy", "-o", "{tmp}/y1.npy"],
      2, ["different batch sizes", "input 0 'in_a' has 2", "has 3"]),
    c("predict_add_multiply_broadcast_batch", "Add and Multiply broadcast a batch of 1 against a batch of 2",
      ["predict", "{fixtures}/bad/golden/add_multiply_two_inputs.h5", "-i", "{fixtures}/bad/golden/add_multiply_a_batch1.npy",
       "-i", "{fixtures}/bad/golden/add_multiply_b_batch2.npy", "-o", "{tmp}/y0.npy", "-o", "{tmp}/y1.npy"],
      2, ["different batch sizes", "input 0 'a' has 1", "input 1 'b' has 2"]),
    c("verify_inputs_of_different_batch", "a golden case whose x1 has another batch than x0 was run",
      ["verify", "{tmp}/case/model.h5", "--golden", "{tmp}/case"], 2, ["different batch sizes"],
      setup=[{"copy": "fixtures/keras3/graph_two_in_two_out", "to": "case"},
             {"copy": "fixtures/bad/golden/graph_two_in_two_out_x1_batch3.npy", "to": "case/x1.npy"}]),
    c("verify_gap_in_inputs", "a golden case with x0 and x2 but no x1 checked x0 only and passed",
      VERIFY, 2, ["holds x2.npy but no x1.npy", "without a gap"],
      setup=CASE + [{"copy": LSTM + "/x0.npy", "to": "case/x2.npy"}]),
    c("verify_gap_in_outputs", "a golden case with y0 and y2 but no y1",
      VERIFY, 2, ["holds y2.npy but no y1.npy"], setup=CASE + [{"copy": LSTM + "/y0.npy", "to": "case/y2.npy"}]),
    c("verify_leading_zero_name", "a golden case file x01.npy was ignored",
      VERIFY, 2, ["x01.npy", "no leading zeros"], setup=CASE + [{"copy": LSTM + "/x0.npy", "to": "case/x01.npy"}]),
    c("train_zero_samples", "training on 0 samples exited 0 and wrote a model",
      ["train", "{fixtures}/keras3/lstm_default/model.h5", "--x", "{fixtures}/bad/golden/lstm_default_x_0_samples.npy",
       "--y", "{fixtures}/bad/golden/lstm_default_y_0_samples.npy", "--loss", "mse", "-o", "{tmp}/out.h5"],
      2, ["0 samples"]),
    # 3. option ranges
    c("train_batch_size_int_max", "train --batch-size 2147483647 ran no step (overflow) and wrote the untrained model: "
      "now one batch of all samples, as Keras", TRAIN + ["--batch-size", "2147483647"], 0,
      created=["out.h5"]),
    c("train_batch_size_zero", "train --batch-size 0", TRAIN + ["--batch-size", "0"], 2, ["--batch-size 0", "integer >= 1"]),
    c("train_epochs_zero", "train --epochs 0", TRAIN + ["--epochs", "0"], 2, ["--epochs 0", "integer >= 1"]),
    c("train_learning_rate_nan", "train --learning-rate NaN", TRAIN + ["--learning-rate", "NaN"], 2,
      ["--learning-rate NaN", "finite number > 0"]),
    c("train_validation_split_one", "train --validation-split 1", TRAIN + ["--validation-split", "1"], 2,
      ["--validation-split 1", "[0, 1)"]),
    c("train_patience_negative", "train --early-stopping-patience -1", TRAIN + ["--early-stopping-patience", "-1"], 2,
      ["--early-stopping-patience -1", "integer >= 0"]),
    c("train_momentum_two", "train --optimizer sgd --momentum 2 (Keras: momentum in [0, 1])",
      TRAIN + ["--optimizer", "sgd", "--momentum", "2"], 2, ["--momentum 2", "[0, 1]"]),
    c("train_clipnorm_infinity", "train --clipnorm Infinity", TRAIN + ["--clipnorm", "Infinity"], 2,
      ["--clipnorm Infinity", "finite number > 0"]),
    c("bench_callers_100000", "bench --callers 100000 ran out of native threads, printed a stack trace and did not exit",
      BENCH + ["--callers", "100000"], 2, ["--callers 100000", "from 1 to 4096"]),
    c("bench_seconds_1e300", "bench --seconds 1e300 overflowed the deadline", BENCH + ["--seconds", "1e300"], 2,
      ["--seconds 1e300", "[0, 86400]"]),
    c("bench_first_negative", "bench --first -1", BENCH + ["--first", "-1"], 2, ["--first -1", "from 0 to 100000"]),
    c("bench_timesteps_huge", "bench --timesteps 2147483647", BENCH + ["--timesteps", "2147483647"], 2,
      ["--timesteps 2147483647", "from 1 to 1048576"]),
]


def main():
    write_files()
    os.makedirs(os.path.dirname(TABLE), exist_ok=True)
    with open(TABLE, "w") as f:
        json.dump(CASES, f, indent=1)
        f.write("\n")
    print(f"wrote {len(CASES)} cases to {os.path.relpath(TABLE, ROOT)} and their files to {os.path.relpath(OUT, ROOT)}")


if __name__ == "__main__":
    main()
