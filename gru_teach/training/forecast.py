"""Chapter 5's forecasting runs: a GRU reads 20 years of sunspot numbers and predicts the next 5 (one output per
year ahead), trained with :func:`gru_teach.training.train` under each protocol of
:mod:`gru_teach.tasks.forecasting`, and scored in sunspot numbers against persistence and a linear AR model.
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ..tasks import forecasting
from .data import as_dataset, make_loader
from .loop import EarlyStopping, SequenceModel, make_optimizer, train

@torch.no_grad()
def predict(model: nn.Module, x: np.ndarray) -> np.ndarray:
    model.eval()
    p = next(model.parameters())
    out = model(torch.as_tensor(x, dtype=p.dtype, device=p.device)).cpu().numpy()
    model.train()
    return out


def forecast_run(data: forecasting.ForecastData, *, seed: int = 0, hidden: int = 32, epochs: int = 60,
                 batch_size: int = 32, lr: float = 0.01, optimizer: str = "adam", clip: float | None = 1.0,
                 patience: int | None = 10, scheduler=None, scheduler_interval: str = "step", threads: int | None = 1,
                 device=None) -> dict:
    """Train one GRU forecaster (seeded); return the model, its history and test/validation RMSE per horizon
    (sunspot numbers). ``scheduler``: a function ``optimizer, total_steps -> lr_scheduler`` or None."""
    torch.manual_seed(seed)
    model = SequenceModel(1, hidden, data.horizon)
    opt = make_optimizer(optimizer, model.parameters(), lr)
    loader = make_loader(as_dataset(*data.part("train")), batch_size, seed=seed, device=device)
    sched = scheduler(opt, epochs * len(loader)) if scheduler is not None else None
    stop = EarlyStopping("val_loss", patience) if patience else None
    history = train(model, loader, nn.functional.mse_loss, opt, epochs=epochs, val_data=data.part("val"),
                    clip=clip, early_stopping=stop, scheduler=sched, scheduler_interval=scheduler_interval,
                    threads=threads, device=device, record_every=None)
    inv = data.scaler.inverse
    rmse = {part: forecasting.rmse_per_horizon(inv(predict(model, getattr(data, f"x_{part}"))),
                                               inv(getattr(data, f"y_{part}"))) for part in ("val", "test")}
    return {"model": model, "history": history, "val_rmse": rmse["val"], "test_rmse": rmse["test"]}


def future_rmse(model: nn.Module, data: forecasting.ForecastData, future: forecasting.ForecastData) -> np.ndarray:
    """RMSE per horizon of a model trained on ``data`` (with its scaler) on the test windows of ``future``."""
    x = forecasting.rescale(future.x_test, future, data)
    return forecasting.rmse_per_horizon(data.scaler.inverse(predict(model, x)), future.scaler.inverse(future.y_test))
