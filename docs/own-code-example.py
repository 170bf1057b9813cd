"""The shape of a class the app can train and check (python main.py --headless
--own-code FILE.py ...). A real file holds every class its settings use: Layer_Dense,
the hidden activation, Layer_Dropout (with dropout), the loss and the optimizer.

The app calls forward with the previous layer's output and reads self.output; it calls
backward with the gradient of the next layer's input and reads self.dinputs (a dense
layer also self.dweights and self.dbiases). forward may take a second argument,
training (False while validating), as in the book's later chapters.
"""

import numpy as np


class Activation_ReLU:
    def forward(self, inputs, training):
        self.inputs = inputs                  # kept for backward
        self.output = np.maximum(0, inputs)

    def backward(self, dvalues):
        self.dinputs = dvalues.copy()
        self.dinputs[self.inputs <= 0] = 0    # no gradient where the unit was off
