// Checks every layer's backward pass against central finite differences of the loss
// on a tiny network, in float64.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Conv2d } from './conv2d.ts';
import { Dense } from './dense.ts';
import { Flatten } from './flatten.ts';
import { tensor } from './layer.ts';
import { MaxPool2d } from './maxpool2d.ts';
import { Xoshiro128 } from './prng.ts';
import { Relu } from './relu.ts';
import { Sequential } from './sequential.ts';
import { softmaxCrossEntropy } from './softmax-cross-entropy.ts';

function tinyNet(rng: Xoshiro128): Sequential {
  const conv = new Conv2d(2, 3, 3, 1, 'conv');
  const dense = new Dense(3 * 2 * 2, 5, 'fc1');
  const head = new Dense(5, 3, 'fc2');
  conv.init(rng);
  dense.init(rng);
  head.init(rng);
  return new Sequential([2, 4, 4], [conv, new Relu(), new MaxPool2d(2), new Flatten(), dense, new Relu(), head]);
}

test('analytic gradients match finite differences for every parameter and the input', () => {
  const rng = new Xoshiro128(3);
  const net = tinyNet(rng);
  const n = 3;
  const x = tensor([n, 2, 4, 4]);
  for (let i = 0; i < x.data.length; i++) x.data[i] = rng.uniform(2);
  const labels = Int32Array.of(0, 2, 1);
  const lossAt = () => softmaxCrossEntropy(net.forward(x), labels).loss;

  const { grad } = softmaxCrossEntropy(net.forward(x), labels);
  const gx = net.backward(grad);
  const analytic = net.params().map((p) => Float64Array.from(p.grad));

  const h = 1e-5;
  let checked = 0;
  net.params().forEach((p, index) => {
    for (let i = 0; i < p.value.length; i++) {
      const saved = p.value[i]!;
      p.value[i] = saved + h;
      const up = lossAt();
      p.value[i] = saved - h;
      const down = lossAt();
      p.value[i] = saved;
      const numeric = (up - down) / (2 * h);
      const a = analytic[index]![i]!;
      assert.ok(Math.abs(numeric - a) <= 1e-6 + 1e-4 * Math.abs(numeric), `${p.name}[${i}]: analytic ${a}, numeric ${numeric}`);
      checked++;
    }
  });
  for (let i = 0; i < x.data.length; i++) {
    const saved = x.data[i]!;
    x.data[i] = saved + h;
    const up = lossAt();
    x.data[i] = saved - h;
    const down = lossAt();
    x.data[i] = saved;
    const numeric = (up - down) / (2 * h);
    assert.ok(Math.abs(numeric - gx.data[i]!) <= 1e-6 + 1e-4 * Math.abs(numeric), `input[${i}]`);
  }
  assert.equal(checked, 3 * 2 * 9 + 3 + 12 * 5 + 5 + 5 * 3 + 3);
});

test('softmax cross-entropy of equal logits is log(classes)', () => {
  const { loss, grad } = softmaxCrossEntropy(tensor([1, 4]), Int32Array.of(2));
  assert.ok(Math.abs(loss - Math.log(4)) < 1e-12);
  assert.deepEqual(Array.from(grad.data), [0.25, 0.25, -0.75, 0.25]);
});

test('maxpool sends the gradient to the first maximum of each window', () => {
  const pool = new MaxPool2d(2);
  const x = tensor([1, 1, 2, 2], Float64Array.of(1, 3, 3, 0));
  assert.deepEqual(Array.from(pool.forward(x).data), [3]);
  assert.deepEqual(Array.from(pool.backward(tensor([1, 1, 1, 1], Float64Array.of(1))).data), [0, 1, 0, 0]);
});
