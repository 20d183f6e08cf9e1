"""More than one process: the entry point under torchrun (2 CPU processes, gloo, loopback only) equals one process
with the same global batch; the session helpers give clear errors."""
import json

import pytest
import torch

from gru_teach.bench import processes
from gru_teach.training import distributed, run

# Two processes with 16 samples each vs one process with 32: the same global batches (DistributedSampler), the
# same averaged gradients; only the order of the float32 sums differs. After 2 epochs (32 Adam steps) the weights
# agree to ~5e-7 in our runs; the tolerance leaves a margin of 20x.
TOLERANCE = 1e-5
ARGS = ["adding", "--epochs", "2", "--threads", "1", "--device", "cpu", "--lr", "0.02"]


def _weights(path):
    return torch.load(path, weights_only=True)


def _max_diff(a, b):
    assert a.keys() == b.keys()
    return max(float((a[k] - b[k]).abs().max()) for k in a)


def test_two_processes_hold_identical_weights_and_match_one_process(tmp_path):
    distributed.launch(2, ARGS + ["--batch-size", "16", "--save-weights", str(tmp_path / "w_{rank}.pt"),
                                  "--out", str(tmp_path / "two.json")], timeout=120)
    two = json.loads((tmp_path / "two.json").read_text())
    rank0, rank1 = _weights(tmp_path / "w_0.pt"), _weights(tmp_path / "w_1.pt")
    assert two["processes"] == {"world_size": 2, "backend": "gloo", "weights_max_diff_across_ranks": 0.0}
    assert _max_diff(rank0, rank1) == 0.0                # every rank applied the same averaged gradient

    with distributed.one_process_group():                # the reference: same code path, one process, batch 32
        one = run.main(ARGS + ["--batch-size", "32", "--save-weights", str(tmp_path / "one.pt")])
    assert one["processes"]["world_size"] == 1
    assert _max_diff(rank0, _weights(tmp_path / "one.pt")) < TOLERANCE
    assert two["curves"]["train_loss"] == pytest.approx(one["curves"]["train_loss"], rel=TOLERANCE)
    assert two["test"]["loss"] == pytest.approx(one["test"]["loss"], rel=TOLERANCE)


def test_outside_torchrun_the_session_is_one_plain_process():
    with distributed.session("cpu", environ={}) as sess:
        model = torch.nn.Linear(2, 1)
        assert not sess.distributed and sess.is_main and sess.world_size == 1
        assert sess.sampler(list(range(4))) is None
        assert sess.wrap(model) is model
        assert sess.weights_max_diff(model) == 0.0
        assert sess.describe() == "one process"


def test_half_a_torchrun_environment_is_a_clear_error():
    with pytest.raises(RuntimeError, match="LOCAL_RANK, MASTER_ADDR, MASTER_PORT are not"):
        with distributed.session("cpu", environ={"RANK": "0", "WORLD_SIZE": "2"}):
            pass
    with pytest.raises(ValueError, match="unknown device"):
        with distributed.session("tpu", environ={}):
            pass


def test_one_process_group_restores_the_environment(monkeypatch):
    monkeypatch.delenv("RANK", raising=False)
    monkeypatch.setenv("MASTER_PORT", "1234")
    with distributed.one_process_group():
        assert distributed.under_torchrun()
    assert not distributed.under_torchrun()
    import os
    assert os.environ["MASTER_PORT"] == "1234"


def test_torchrun_commands_for_one_and_several_machines():
    one = distributed.torchrun_command(4, ["adding", "--epochs", 3])
    assert one == ["python", "-m", "torch.distributed.run", "--nproc_per_node=4", "--standalone",
                   "-m", "gru_teach.training.run", "adding", "--epochs", "3"]
    two = distributed.torchrun_command(8, ["adding"], nnodes=2, node_rank=1, master="10.0.0.1:29500")
    assert "--nnodes=2" in two and "--node_rank=1" in two and "--master_addr=10.0.0.1" in two
    assert "--master_port=29500" in two and "--standalone" not in two
    with pytest.raises(ValueError, match="master='host:port'"):
        distributed.torchrun_command(8, ["adding"], nnodes=2)
    with pytest.raises(ValueError, match="must be ≥ 1"):
        distributed.torchrun_command(0, ["adding"])


def test_save_weights_rank_placeholder(tmp_path):
    model = torch.nn.Linear(2, 1)
    main, other = distributed.Session(rank=0, world_size=2), distributed.Session(rank=1, world_size=2)
    assert distributed.save_weights(model, tmp_path / "w.pt", other) is None     # only rank 0 writes
    assert distributed.save_weights(model, tmp_path / "w.pt", main) == tmp_path / "w.pt"
    assert distributed.save_weights(model, str(tmp_path / "w_{rank}.pt"), other) == tmp_path / "w_1.pt"


def test_process_benchmark_runs_in_one_process(tmp_path, capsys):
    out = tmp_path / "p.json"
    assert processes.main(["--hidden", "4", "--time", "3", "--global-batch", "4", "--steps", "2", "--repeats", "1",
                           "--out", str(out)]) == 0
    rows = json.loads(out.read_text())
    assert rows[0]["processes"] == 1 and rows[0]["tokens_per_s"] > 0
    assert "H=   4: 1 process(es)" in capsys.readouterr().out
    with pytest.raises(ValueError, match=r"global batch \(4\) must divide evenly over 3 processes"):
        processes.measure(distributed.Session(world_size=3), 4, global_batch=4, steps=1)
