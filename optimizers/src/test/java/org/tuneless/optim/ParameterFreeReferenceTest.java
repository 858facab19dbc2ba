package org.tuneless.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.tuneless.metrics.Metrics;
import org.tuneless.optim.ParameterFreeTesting.Run;

import static org.tuneless.optim.ParameterFreeTesting.mlp;
import static org.tuneless.optim.ParameterFreeTesting.quadratic;
import static org.tuneless.optim.ParameterFreeTesting.rosenbrock;
import static org.tuneless.optim.ParameterFreeTesting.split3;

/**
 * The learning-rate-free optimizers against numbers from their official implementations, run in float64 (the values
 * and tolerances listed in docs/methods.md): 1e-9 relative unless a looser bound is stated there for a quantity
 * that amplifies rounding (Mechanic's kinks, D-Adaptation's late steps); chaotic quantities only qualitatively.
 * Quadratic h = (1, 10, 100) from (1, 1, 1); Rosenbrock from (−1.5, 2); the MLP 8-16-3 of {@link ParameterFreeTesting#mlp}.
 * "loss at step t" is f(x_t), after t steps.
 */
class ParameterFreeReferenceTest extends ReferenceChecks {

    @Test void theTestProblemsAndTheSanityRowsMatch() {
        near(1.0983473316388341, mlp().loss(), 1e-12, "mlp initial loss");
        near(45.12935412867603, new Run(new Adam(1e-3), quadratic()).until(100).loss(), REL, "adam quad step100 loss");
        near(5.726276663678064, new Run(new Adam(1e-3), rosenbrock()).until(1000).loss(), REL, "adam rosen step1000 loss");
        near(1.0731637320959824, new Run(new Adam(1e-3), mlp()).until(100).loss(), REL, "adam mlp step100 loss");
        near(3.527539554327697e+192, new Run(new Sgd(0.1), quadratic()).until(100).loss(), REL, "sgd quad step100 loss");
        assertTrue(Double.isNaN(new Run(new Sgd(0.1), rosenbrock()).until(1000).loss()), "sgd(0.1) on Rosenbrock ends in NaN");
        near(1.0868404842668666, new Run(new Sgd(0.1), mlp()).until(100).loss(), REL, "sgd mlp step100 loss");
    }

    @Test void dog() {
        Run q = new Run(Averaged.polynomialDecay(new Dog()), quadratic());
        q.step();
        near(2.732050807568877e-06, q.state.child("base").scalar("rbar"), REL, "dog step1 rbar");
        near(10101.00000001, q.state.child("base").scalar("G"), REL, "dog step1 G");
        near(2.7183575902458175e-08, q.state.child("base").scalar("eta"), REL, "dog step1 eta");
        near(2.7183575902458175e-08, q.last.learningRate(), REL, "dog step1 lr");
        near(2.7183575902458175e-08, q.last.diagnostics().get(Metrics.DOG_ETA), REL, "dog step1 diagnostic eta");
        q.until(3);
        near(4.663899858094174e-06, q.state.child("base").scalar("rbar"), REL, "dog step3 rbar");
        q.until(10);
        near(0.99992675663542, q.x()[2], REL, "dog step10 x[2]");
        q.until(100);
        near(new double[]{0.9605533541297312, 0.667475304442466, 0.014459848893210493}, q.x(), REL, "dog step100 x");
        near(0.0013084383124484999, q.state.child("base").scalar("eta"), REL, "dog step100 eta");
        near(new double[]{0.97198774436877, 0.7552943349991582, 0.09893580827046743},
                q.optimizer.capability(EvaluationPoint.class, q.state).orElseThrow().evaluationPoint(q.state, q.f.parameters()).toDoubleVector(), REL, "dog step100 avg.x");
        near(2.6994021447684764, q.loss(), REL, "dog step100 loss");

        Run r = new Run(Averaged.polynomialDecay(new Dog()), rosenbrock()).until(1000);
        near(5.583628624407134, r.loss(), REL, "dog rosen step1000 loss");
        near(5.627669413530056, r.f.lossAt(((Averaged) r.optimizer).average(r.state)), REL, "dog rosen step1000 avg loss");

        Run m = new Run(new Dog(), mlp());
        m.step();
        near(5.280323641027978e-05, m.last.learningRate(), REL, "dog mlp step1 eta");
        m.until(100);
        near(3.1971010660064074, m.last.learningRate(), REL, "dog mlp step100 eta");
        near(1.071401738366342, m.loss(), REL, "dog mlp step100 loss");
    }

    @Test void ldog() {
        // one tensor: LDoG equals DoG exactly
        Run dog = new Run(new Dog(), quadratic()).until(100), ldog = new Run(new LDog(), quadratic()).until(100);
        assertEquals(List.of(dog.x()[0], dog.x()[1], dog.x()[2]), List.of(ldog.x()[0], ldog.x()[1], ldog.x()[2]), "LDoG on one tensor = DoG");

        Run s = new Run(new LDog(), quadratic(), split3());
        s.step();
        near(new double[]{1.99999999e-06, 1.9999999999e-07, 1.9999999999989998e-08},
                new double[]{s.scalar("eta/x"), s.scalar("eta/y"), s.scalar("eta/z")}, REL, "ldog split3 step1 eta");
        near(1.99999999e-06, s.last.learningRate(), REL, "ldog split3 step1 lr (max eta)");
        s.until(100);
        near(new double[]{0.02465240329177449, 0.024652403013100295, 0.024652403012184205}, s.x(), REL, "ldog split3 step100 x");
        near(0.03372962407938917, s.loss(), REL, "ldog split3 step100 loss");

        Run m = new Run(new LDog(), mlp());
        m.step();
        near(new double[]{7.149373578912642e-05, 0.0002720849178811333, 6.606880397022025e-05, 7.319481314920736e-05},
                new double[]{m.scalar("eta/dense0.W"), m.scalar("eta/dense0.b"), m.scalar("eta/dense1.W"), m.scalar("eta/dense1.b")}, REL, "ldog mlp step1 eta");
        m.until(100);
        near(1.0713934866936838, m.loss(), REL, "ldog mlp step100 loss");
    }

    @Test void dadaptSgd() {
        Run q = new Run(new DAdaptSgd(), quadratic());
        q.step();
        near(100.50373127401788, q.scalar("g0_norm"), REL, "dadapt-sgd step1 g0_norm");
        near(new double[]{9.949879346007117e-09, 9.949879346007116e-08, 9.949879346007116e-07}, q.state.tensor("s").toDoubleVector(), REL, "dadapt-sgd step1 s");
        q.until(2);
        near(1e-06, q.scalar("d"), REL, "dadapt-sgd step2 d");
        q.until(3);
        near(1.999998027949879e-06, q.scalar("d"), REL, "dadapt-sgd step3 d");
        q.until(100);
        near(1.4233726227338876, q.scalar("d"), REL, "dadapt-sgd step100 d");
        near(new double[]{0.392995889262848, 4.904620910983759e-05, 0.0}, q.x(), REL, "dadapt-sgd step100 x");

        near(5.76711215101407, new Run(new DAdaptSgd(), rosenbrock()).until(100).loss(), REL, "dadapt-sgd rosen step100 loss");

        Run m = new Run(new DAdaptSgd(), mlp());
        m.until(10);
        near(0.0362722195115709, m.scalar("g0_norm"), REL, "dadapt-sgd mlp g0_norm");
        near(1.0983424767616243, m.loss(), REL, "dadapt-sgd mlp step10 loss");
        m.until(27);
        near(0.7758129266425183, m.scalar("d"), 1e-6, "dadapt-sgd mlp step27 d");
        m.until(100);
        double finalLoss = m.loss();
        System.out.println("dadapt-sgd mlp step100 loss (chaotic; official nominal 38.207) " + finalLoss);
        assertTrue(finalLoss > 10, "D-Adapt SGD blows up on the MLP (official: 38.2 at step 100), got " + finalLoss);
    }

    @Test void dadaptAdam() {
        Run q = new Run(new DAdaptAdam(), quadratic());
        q.step();
        near(new double[]{0.9999968377233398, 0.9999968377224399, 0.9999968377223498}, q.x(), REL, "dadapt-adam step1 x");
        q.until(2);
        near(1.58153179903703e-05, q.scalar("d"), REL, "dadapt-adam step2 d");
        q.until(10);
        near(0.45463876329055963, q.scalar("d"), REL, "dadapt-adam step10 d");
        for (double xi : q.x()) assertEquals(0.74, xi, 0.005, "dadapt-adam step10 x ≈ 0.74 in every coordinate");
        q.until(100);
        near(2.8633374892828853, q.scalar("d"), REL, "dadapt-adam step100 d");
        near(2.579022357192818e-05, q.loss(), REL, "dadapt-adam step100 loss");

        near(0.06216193428787299, new Run(new DAdaptAdam(), rosenbrock()).until(1000).loss(), 1e-6, "dadapt-adam rosen step1000 loss");

        Run m = new Run(new DAdaptAdam(), mlp());
        m.until(10);
        near(1.8589424829320746, m.loss(), REL, "dadapt-adam mlp step10 loss");
        m.until(100);
        near(0.9192311066989918, m.loss(), REL, "dadapt-adam mlp step100 loss");
    }

    @Test void prodigy() {
        Run q = new Run(new Prodigy(), quadratic());
        q.step();
        near(1e-06, q.scalar("d"), REL, "prodigy step1 d");
        near(0.00011099999999999999, q.scalar("d_denom"), REL, "prodigy step1 d_denom");
        q.until(2);
        near(1.5815317990419545e-06, q.scalar("d"), REL, "prodigy step2 d");
        near(3.510117072798022e-10, q.scalar("d_numerator"), REL, "prodigy step2 d_numerator");
        q.until(10);
        near(0.003873511446533774, q.scalar("d"), REL, "prodigy step10 d");
        q.until(100);
        near(0.41977482818761064, q.scalar("d"), REL, "prodigy step100 d");
        near(4.43361058234214e-05, q.loss(), REL, "prodigy step100 loss");

        Run r = new Run(new Prodigy(), rosenbrock()).until(100);
        near(102.79887479744544, r.loss(), REL, "prodigy rosen step100 loss (overshoot above 12.5)");
        r.until(1000);
        near(2.0820181493761334e-09, r.loss(), 1e-8, "prodigy rosen step1000 loss");

        near(1.0148999226504116, new Run(new Prodigy(), mlp()).until(100).loss(), REL, "prodigy mlp step100 loss");
    }

    static double sSum(Run r) {
        double s = 0;
        for (int i = 0; i < 6; i++) s += r.scalar("s/" + i);
        return s;
    }

    @Test void mechanicOnSgd() {
        Run q = new Run(new Mechanic(new Sgd(1.0)), quadratic());
        q.step();
        double[] s1 = new double[6];
        for (int i = 0; i < 6; i++) s1[i] = q.scalar("s/" + i);
        near(new double[]{1.5e-07, 1.65e-07, 1.665e-07, 1.6665e-07, 1.6666500000000002e-07, 1.666665e-07}, s1, REL, "mechanic(sgd) step1 s");
        near(new double[]{0.9999990185185, 0.999990185185, 0.99990185185}, q.x(), 1e-12, "mechanic(sgd) step1 x");
        q.until(2);
        for (int i = 0; i < 6; i++) near(9998.149500528052, q.scalar("m/" + i), REL, "mechanic(sgd) step2 max_product[" + i + "]");
        q.until(10);
        near(1.4146320432097915e-05, sSum(q), REL, "mechanic(sgd) step10 s_sum");
        q.until(100);
        near(0.000521555144482122, sSum(q), 1e-4, "mechanic(sgd) step100 s_sum");
        near(2.2022353309339286, q.loss(), 1e-4, "mechanic(sgd) step100 loss");
        near(1.0714837360677305, new Run(new Mechanic(new Sgd(1.0)), mlp()).until(100).loss(), 1e-7, "mechanic(sgd) mlp step100 loss");
    }

    @Test void mechanicOnAdam() {
        Run q = new Run(new Mechanic(new Adam(1.0)), quadratic());
        q.until(2);
        for (int i = 0; i < 6; i++) near(109.88035366499375, q.scalar("m/" + i), REL, "mechanic(adam) step2 max_product[" + i + "]");
        q.until(10);
        near(1.4162704754048227e-05, sSum(q), REL, "mechanic(adam) step10 s_sum");
        near(1.4162704754048227e-05, q.last.diagnostics().get(Metrics.MECHANIC_S_SUM), REL, "mechanic(adam) step10 diagnostic");
        q.until(100);
        near(5.129500191788806e-08, q.loss(), 1e-3, "mechanic(adam) step100 loss");
        near(1.0713339245085984, new Run(new Mechanic(new Adam(1.0)), mlp()).until(100).loss(), 1e-7, "mechanic(adam) mlp step100 loss");
    }
}
