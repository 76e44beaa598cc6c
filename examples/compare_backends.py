"""Compare the four backends on one model: a thin wrapper around ``python -m mini_keras.compare``.

What it teaches: Keras 3's promise, measured. The same model, trained with the same seed, gives
the same losses on numpy, PyTorch, JAX and TensorFlow; what differs is the time to compile (the
first epoch) and the speed afterwards. Options as for the module:

    python examples/compare_backends.py --model cnn --epochs 3 --backends numpy,jax
"""

from mini_keras.compare import main

if __name__ == "__main__":
    main()
