package org.tuneless.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tuneless.tensor.Vectors;

/**
 * Checks one layer's five derivative methods against central finite differences in float64, through the scalar probe
 * L(x, θ) = Σ c⊙y + ½ Σ d⊙y² (so that ∂L/∂y and its R-derivative are both non-zero).
 */
final class LayerDerivativeCheck {

    private final Layer layer;
    private final long[] inputShape;  // with batch
    private final INDArray x;
    private final INDArray[] theta;
    private final INDArray dx;
    private final INDArray[] v;
    private INDArray c;
    private INDArray d;
    private final double h = 1e-5;

    LayerDerivativeCheck(Layer layer, long batch, long[] exampleShape, long seed, UnaryOperator<INDArray> inputTransform) {
        this.layer = layer;
        Random rng = new Random(seed);
        inputShape = new long[exampleShape.length + 1];
        inputShape[0] = batch;
        System.arraycopy(exampleShape, 0, inputShape, 1, exampleShape.length);
        x = inputTransform.apply(gaussian(rng, inputShape));
        dx = gaussian(rng, inputShape);
        layer.bind(exampleShape);
        List<ParamSpec> specs = layer.parameters(exampleShape);
        theta = new INDArray[specs.size()];
        v = new INDArray[specs.size()];
        for (int i = 0; i < specs.size(); i++) {
            theta[i] = gaussian(rng, specs.get(i).shape()).muli(0.5);
            v[i] = gaussian(rng, specs.get(i).shape());
        }
        INDArray y = layer.forward(x, theta);
        c = gaussian(rng, y.shape());
        d = gaussian(rng, y.shape()).muli(0.5);
    }

    private static INDArray gaussian(Random rng, long[] shape) {
        long n = 1;
        for (long s : shape) n *= s;
        double[] a = new double[(int) n];
        for (int i = 0; i < a.length; i++) a[i] = rng.nextGaussian();
        return Nd4j.createFromArray(a).reshape(shape).castTo(DataType.DOUBLE);
    }

    private INDArray[] shifted(INDArray[] base, INDArray[] dir, double t) {
        INDArray[] out = new INDArray[base.length];
        for (int i = 0; i < base.length; i++) out[i] = base[i].add(dir[i].mul(t));
        return out;
    }

    private INDArray outputAt(double t) {
        return layer.forward(x.add(dx.mul(t)), shifted(theta, v, t)).dup();
    }

    private double probe(INDArray y) {
        return Vectors.dot(c, y) + 0.5 * Vectors.dot(d, y.mul(y));
    }

    /** (gx, gθ...) at the point shifted by t along (ẋ, v). */
    private INDArray[] gradientsAt(double t) {
        INDArray[] th = shifted(theta, v, t);
        INDArray y = layer.forward(x.add(dx.mul(t)), th);
        INDArray gy = c.add(d.mul(y));
        INDArray[] grads = new INDArray[th.length + 1];
        for (int i = 0; i < th.length; i++) grads[i + 1] = Nd4j.zerosLike(th[i]);
        grads[0] = layer.backward(gy, th, java.util.Arrays.copyOfRange(grads, 1, grads.length), true).dup();
        return grads;
    }

    private static void assertClose(INDArray expected, INDArray actual, double rel, String what) {
        double scale = Math.max(1e-8, Vectors.norm(expected));
        double err = Vectors.norm(expected.sub(actual));
        assertTrue(err <= rel * scale, what + ": relative error " + err / scale + " > " + rel);
    }

    void checkAll() {
        checkBackward();
        checkJvp();
        checkRBackward();
        checkSecondTangent();
    }

    /** ⟨gx, ẋ⟩ + Σ⟨gθ, v⟩ equals dL/dt. */
    void checkBackward() {
        INDArray[] g = gradientsAt(0);
        double analytic = Vectors.dot(g[0], dx);
        for (int i = 0; i < theta.length; i++) analytic += Vectors.dot(g[i + 1], v[i]);
        double numeric = (probe(outputAt(h)) - probe(outputAt(-h))) / (2 * h);
        assertEquals(numeric, analytic, 1e-6 * Math.max(1, Math.abs(numeric)), layer.kind() + " backward");
    }

    void checkJvp() {
        layer.forward(x, theta);
        INDArray dy = layer.jvp(dx, theta, v).dup();
        INDArray numeric = outputAt(h).sub(outputAt(-h)).divi(2 * h);
        assertClose(numeric, dy, 1e-6, layer.kind() + " jvp");
        if (theta.length > 0) {  // parameter tangent only
            layer.forward(x, theta);
            INDArray dyParams = layer.jvp(null, theta, v).dup();
            INDArray y1 = layer.forward(x, shifted(theta, v, h)).dup();
            INDArray y0 = layer.forward(x, shifted(theta, v, -h)).dup();
            assertClose(y1.sub(y0).divi(2 * h), dyParams, 1e-6, layer.kind() + " jvp (parameters only)");
        }
    }

    /** R{gx}, R{gθ} equal the directional derivatives of the gradients along (ẋ, v). */
    void checkRBackward() {
        INDArray y = layer.forward(x, theta);
        INDArray dy = layer.jvp(dx, theta, v);
        INDArray gy = c.add(d.mul(y));
        INDArray rgy = d.mul(dy);
        INDArray[] hv = new INDArray[theta.length];
        for (int i = 0; i < theta.length; i++) hv[i] = Nd4j.zerosLike(theta[i]);
        INDArray rgx = layer.rBackward(gy, rgy, theta, v, hv, true).dup();
        INDArray[] plus = gradientsAt(h), minus = gradientsAt(-h);
        assertClose(plus[0].sub(minus[0]).divi(2 * h), rgx, 1e-6, layer.kind() + " R-op input gradient");
        for (int i = 0; i < theta.length; i++) {
            assertClose(plus[i + 1].sub(minus[i + 1]).divi(2 * h), hv[i], 1e-6, layer.kind() + " R-op parameter " + i);
        }
    }

    /** (ẏ, ÿ) equal the first and second derivatives of y along the curve (x + tẋ + t²/2 ẍ, θ + tv). */
    void checkSecondTangent() {
        INDArray ddx = dx.mul(0.7).addi(0.3);
        layer.forward(x, theta);
        INDArray[] t = layer.secondTangent(dx, ddx, theta, v);
        INDArray dy = t[0].dup(), ddy = t[1] == null ? Nd4j.zerosLike(dy) : t[1].dup();
        double hh = 1e-4;
        INDArray yp = layer.forward(x.add(dx.mul(hh)).addi(ddx.mul(0.5 * hh * hh)), shifted(theta, v, hh)).dup();
        INDArray y0 = layer.forward(x, theta).dup();
        INDArray ym = layer.forward(x.sub(dx.mul(hh)).addi(ddx.mul(0.5 * hh * hh)), shifted(theta, v, -hh)).dup();
        assertClose(yp.sub(ym).divi(2 * hh), dy, 1e-6, layer.kind() + " second tangent (first order)");
        assertClose(yp.add(ym).subi(y0.mul(2)).divi(hh * hh), ddy, 1e-5, layer.kind() + " second tangent (second order)");
    }
}
