package io.lagwise.spring;

import io.lagwise.core.Consistency;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * How fresh the reads of a Spring bean's method (or of every method of a class or repository
 * interface) must be, for the duration of the call: {@code STRONG} reads the master's newest data,
 * {@code EVENTUAL} reads any replica under the maximum lag, {@code READ_YOUR_WRITES} never reads
 * behind the session's own writes (the default unless {@code lagwise.consistency} says otherwise).
 * A method's annotation wins over its class's; an inner call's over an outer one's. Works with or
 * without {@code @Transactional}, as {@code LagwiseDataSource.withConsistency(...)} does in code.
 *
 * <p>A transaction keeps the server it started on: put the annotation on the transactional method
 * itself (or outside it), not on a method it calls after it has read from a replica; a
 * {@code STRONG} call inside such a transaction still reads that replica.
 *
 * <pre>{@code
 * @ReadConsistency(Consistency.STRONG)
 * public Money balance(long accountId) { ... }
 *
 * @ReadConsistency(Consistency.EVENTUAL)
 * @Transactional(readOnly = true)
 * public List<Product> catalogue() { ... }
 * }</pre>
 *
 * Applies to calls through the Spring proxy (not to a bean calling itself), like
 * {@code @Transactional}.
 */
@Target({ElementType.METHOD, ElementType.TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
public @interface ReadConsistency {

    /** The consistency of the reads made during the call. */
    Consistency value();
}
