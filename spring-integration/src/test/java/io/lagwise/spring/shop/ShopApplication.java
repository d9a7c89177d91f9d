package io.lagwise.spring.shop;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** A small Spring Boot web app on Lagwise, for the web tests: notes written with JPA, read with JPA and JDBC. */
@SpringBootApplication
public class ShopApplication {
}
