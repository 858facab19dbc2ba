// Resolves Tuneless by Maven coordinates like a user's script would; dependency-check/run substitutes the repository.
@file:Repository("https://repo.maven.apache.org/maven2/")
@file:Repository("@TUNELESS_REPO@")
@file:DependsOn("org.tuneless:tuneless-dsl:@TUNELESS_VERSION@")
@file:DependsOn("org.slf4j:slf4j-nop:1.7.36")   // Tuneless brings no logging binding: choose one

import org.tuneless.dsl.*

val run = train {
    model = mlp(784, 16, 10)
    data = fashionMnist(subset = 256)
    optimizer = adam(lr = 1e-3)
    steps = 10
}
println("script: ${run.status} after ${run.history.size} steps, final loss %.4f".format(run.finalLoss))
