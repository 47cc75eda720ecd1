package io.hourglass.core.model;

import java.util.Objects;

/**
 * A person (or script) allowed into the admin API and console.
 *
 * @param username     unique, case-sensitive
 * @param passwordHash an encoded hash with its algorithm prefix (Spring Security's {@code {bcrypt}...} form); never
 *                     the password
 * @param role         what the user may do
 * @param enabled      a disabled user cannot log in
 * @param createdAt    epoch ms
 * @param updatedAt    epoch ms
 * @param version      bumped by every change
 */
public record AdminUser(String username, String passwordHash, AdminRole role, boolean enabled, long createdAt,
                        long updatedAt, long version) {

    public AdminUser {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(passwordHash, "passwordHash");
        Objects.requireNonNull(role, "role");
    }

    public AdminUser touched(long now) {
        return new AdminUser(username, passwordHash, role, enabled, createdAt, now, version + 1);
    }
}
