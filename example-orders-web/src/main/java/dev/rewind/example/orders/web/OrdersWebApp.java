package dev.rewind.example.orders.web;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/**
 * The orders example on Spring Boot: {@code rewind-spring-boot-starter} builds Rewind over
 * {@code example-orders}' domain and projections (this module names their package in
 * {@code rewind.scan-packages}, since they live outside its own), and this module adds an HTTP API
 * ({@code /api/...}) and the timeline page ({@code /}).
 *
 * <pre>
 * java -jar example-orders-web/target/rewind-orders-web.jar --orders.demo=true   # http://127.0.0.1:8080/
 * </pre>
 */
@SpringBootApplication
@EnableConfigurationProperties(OrdersWebProperties.class)
public class OrdersWebApp {

    /** Spring creates it. */
    public OrdersWebApp() {
    }

    /**
     * Starts the application; Spring Boot's {@code --name=value} arguments override
     * {@code application.properties} (for example {@code --rewind.storage=memory:}).
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        SpringApplication.run(OrdersWebApp.class, args);
    }
}
