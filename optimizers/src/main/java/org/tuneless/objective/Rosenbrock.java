package org.tuneless.objective;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The Rosenbrock function f(x, y) = (a − x)² + b (y − x²)², by default a = 1, b = 100, started at (−1.2, 1).
 * Gradient, Hessian-vector product and uᵀHu are closed-form.
 */
public final class Rosenbrock implements Objective {

    private final double a;
    private final double b;
    private final INDArray w;

    public Rosenbrock(double a, double b, double x0, double y0) {
        this.a = a;
        this.b = b;
        this.w = Nd4j.createFromArray(x0, y0);
    }

    /** The classic problem: a = 1, b = 100, start (−1.2, 1). */
    public static Rosenbrock standard() { return new Rosenbrock(1, 100, -1.2, 1); }

    @Override public INDArray parameters() { return w; }

    private double x() { return w.getDouble(0); }
    private double y() { return w.getDouble(1); }

    @Override public double loss() {
        double x = x(), y = y();
        return (a - x) * (a - x) + b * (y - x * x) * (y - x * x);
    }

    @Override public double lossAndGradient(INDArray gradientOut) {
        double x = x(), y = y();
        gradientOut.putScalar(0, -2 * (a - x) - 4 * b * x * (y - x * x));
        gradientOut.putScalar(1, 2 * b * (y - x * x));
        return loss();
    }

    /** The dense 2×2 Hessian at the current point. */
    public double[][] hessian() {
        double x = x(), y = y();
        return new double[][]{{2 - 4 * b * (y - x * x) + 8 * b * x * x, -4 * b * x}, {-4 * b * x, 2 * b}};
    }

    @Override public void hvp(INDArray v, INDArray out) {
        double[][] h = hessian();
        double v0 = v.getDouble(0), v1 = v.getDouble(1);
        out.putScalar(0, h[0][0] * v0 + h[0][1] * v1);
        out.putScalar(1, h[1][0] * v0 + h[1][1] * v1);
    }

    @Override public double curvatureAlong(INDArray u) {
        double[][] h = hessian();
        double u0 = u.getDouble(0), u1 = u.getDouble(1);
        return h[0][0] * u0 * u0 + 2 * h[0][1] * u0 * u1 + h[1][1] * u1 * u1;
    }
}
