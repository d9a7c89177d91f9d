/**
 * Spring Boot integration for Lagwise: {@code lagwise.*} configuration properties, and later the
 * auto-configuration, transaction and web-session consistency, Actuator and Micrometer support.
 */
package io.lagwise.spring;
