package io.lagwise.examples.shop;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A Spring Boot web app on Lagwise. Nothing in it names Lagwise but {@link ProfileService}'s
 * optional {@code @ReadConsistency}: the {@code lagwise.*} properties in {@code application.properties}
 * make the DataSource, and JPA, JdbcTemplate and {@code @Transactional} route through it.
 * Run it against your own servers with {@code --lagwise.master.url=...}, or let {@link ShopDemo}
 * start a topology and two instances for you.
 */
@SpringBootApplication
public class ShopApplication {

    /**
     * Starts the app.
     *
     * @param args Spring Boot arguments, e.g. {@code --lagwise.master.url=jdbc:mariadb://db:3306/shop}
     */
    public static void main(String[] args) {
        SpringApplication.run(ShopApplication.class, args);
    }
}
