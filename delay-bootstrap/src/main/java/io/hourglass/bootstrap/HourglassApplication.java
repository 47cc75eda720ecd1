package io.hourglass.bootstrap;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The Hourglass server. */
@SpringBootApplication
public class HourglassApplication {

    public static void main(String[] args) {
        SpringApplication.run(HourglassApplication.class, args);
    }
}
