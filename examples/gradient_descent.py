"""Gradient descent on a loss surface you can see: the salary line, w and b, step by step.

What it teaches: for the line ``y = w*x + b`` the mean squared error is a bowl over the (w, b)
plane. Gradient descent starts somewhere on it (here w = b = 0), computes the slope
(the gradient) and takes a small step downhill, again and again. The plot shows the bowl's
contour lines and the path: the first steps drop steeply along w, then the path crawls along
the long, flat valley towards the minimum (w = 0.685, b = 1.564), because b barely changes the
loss. A larger learning rate would go faster, until, past 2 / (largest curvature) ≈ 0.016 here,
the steps overshoot and diverge. Run on any backend:

    MINI_KERAS_BACKEND=jax python examples/gradient_descent.py
"""

import numpy as np

import mini_keras as keras

# The course's data: years of experience vs monthly salary (millions of won), as in
# linear_regression.py.
years = np.array([[0], [3], [5], [8], [10], [13]], dtype="float32")
salary = np.array([[2.6], [3.1], [4.3], [6.5], [8.4], [11.2]], dtype="float32")


class RecordPath(keras.callbacks.Callback):
    """Remember (w, b) after every epoch (each epoch is one full-batch gradient step here)."""

    def on_train_begin(self, logs=None):
        self.path = [self._point()]

    def on_epoch_end(self, epoch, logs=None):
        self.path.append(self._point())

    def _point(self):
        kernel, bias = self.model.get_weights()
        return float(kernel[0, 0]), float(bias[0])


def mse_surface(ws, bs):
    """The loss at every (w, b) of a grid, computed directly with numpy."""
    ws, bs = np.asarray(ws)[..., None], np.asarray(bs)[..., None]
    pred = ws * years.ravel() + bs
    return np.mean((pred - salary.ravel()) ** 2, axis=-1)


def plot(path, output):
    """Draw the loss contours and the descent path into ``output`` (a PNG)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ws, bs = np.meshgrid(np.linspace(-0.2, 1.2, 200), np.linspace(-1.0, 3.0, 200))
    fig, ax = plt.subplots(figsize=(6, 4.5))
    contours = ax.contour(ws, bs, mse_surface(ws, bs), levels=np.geomspace(0.1, 60, 14),
                          cmap="viridis")
    ax.clabel(contours, fontsize=7, fmt="%.1f")
    path = np.array(path)
    ax.plot(path[:, 0], path[:, 1], "r.-", markersize=3, label="gradient descent path")
    ax.plot(0.685, 1.564, "k*", markersize=12, label="least squares (0.685, 1.564)")
    ax.set_xlabel("w (slope)")
    ax.set_ylabel("b (intercept)")
    ax.set_title(f"MSE loss surface, backend: {keras.config.backend()}")
    ax.legend(loc="lower left")
    fig.tight_layout()
    fig.savefig(output, dpi=100)
    plt.close(fig)


def main(epochs: int = 300, learning_rate: float = 0.01,
         output: str | None = "gradient_descent.png") -> tuple[float, float, float]:
    """Run full-batch gradient descent from (0, 0); plot the path; return (w, b, final loss)."""
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((1,)),
                              keras.layers.Dense(1, kernel_initializer="zeros")])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate), loss="mse")
    recorder = RecordPath()
    history = model.fit(years, salary, epochs=epochs, batch_size=len(years), shuffle=False,
                        verbose=0, callbacks=[recorder])
    w, b = recorder.path[-1]
    loss = history.history["loss"][-1]
    print(f"backend: {keras.config.backend()}")
    for i in sorted({0, 1, 2, 5, 20, epochs} & set(range(epochs + 1))):
        pw, pb = recorder.path[i]
        print(f"step {i:>4}: w = {pw:.3f}, b = {pb:.3f}, loss = {mse_surface(pw, pb):.4f}")
    if output:
        plot(recorder.path, output)
        print(f"loss surface and path: {output}")
    return w, b, loss


if __name__ == "__main__":
    main()
