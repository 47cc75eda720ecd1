package io.hourglass.admin;

import io.hourglass.core.clock.DelayClock;
import io.hourglass.core.model.AdminRole;
import io.hourglass.core.model.AdminUser;
import io.hourglass.core.spi.AdminStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.security.crypto.password.PasswordEncoder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Admin users: the {@link UserDetailsService} of the admin security chain, their management (ADMIN only), and the
 * first admin created when the store has none. Passwords are stored only as encoded hashes (bcrypt through Spring
 * Security's delegating encoder, so the algorithm can change later without a migration).
 */
public final class AdminUserService implements UserDetailsService {

    private static final Logger log = LoggerFactory.getLogger(AdminUserService.class);
    static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");
    static final int MIN_PASSWORD = 12;
    static final int MAX_PASSWORD = 72; // bcrypt reads at most 72 bytes

    /** A user as the API shows it: never the hash. */
    public record View(String username, AdminRole role, boolean enabled, long createdAt, long updatedAt) {
        static View of(AdminUser u) {
            return new View(u.username(), u.role(), u.enabled(), u.createdAt(), u.updatedAt());
        }
    }

    private final AdminStore store;
    private final PasswordEncoder encoder;
    private final AuditLog audit;
    private final DelayClock clock;

    public AdminUserService(AdminStore store, PasswordEncoder encoder, AuditLog audit, DelayClock clock) {
        this.store = store;
        this.encoder = encoder;
        this.audit = audit;
        this.clock = clock;
    }

    @Override
    public UserDetails loadUserByUsername(String username) {
        if (username == null || username.length() > 64) {
            throw new UsernameNotFoundException("unknown");
        }
        AdminUser user = store.findUser(username).orElseThrow(() -> new UsernameNotFoundException("unknown"));
        return User.withUsername(user.username()).password(user.passwordHash()).roles(user.role().name())
                .disabled(!user.enabled()).build();
    }

    /**
     * Creates the first admin when the store has no admin user. With no password configured, a random one is made and
     * written to {@code first.passwordFile()} (owner-only permissions where the file system has them); the log names
     * the file, never the password. When another server created the first admin at the same moment, nothing is written.
     */
    public void ensureFirstAdmin(AdminProperties.FirstAdmin first) {
        if (!store.listUsers().isEmpty()) {
            return;
        }
        boolean generated = first.password() == null || first.password().isEmpty();
        String password = generated ? randomPassword() : first.password();
        long now = clock.now();
        AdminUser admin = new AdminUser(first.username(), encoder.encode(password), AdminRole.ADMIN, true, now, now, 0);
        if (store.createUser(admin)) {
            audit.record("system", "user.create", admin.username(), null, View.of(admin));
            if (generated) {
                Path file = writeSecretFile(Path.of(first.passwordFile()), password);
                log.warn("""

                        ************************************************************************
                        Hourglass admin console: first admin user '{}' created.
                        Its generated password is in {} (readable by this OS user only).
                        Log in at /admin/, change the password, then delete that file.
                        (Or set delay.admin.first-admin.password before the first start.)
                        ************************************************************************""",
                        admin.username(), file.toAbsolutePath());
            } else {
                log.info("Hourglass admin: first admin user '{}' created from delay.admin.first-admin", admin.username());
            }
        }
    }

    /** Writes a secret to a new file only its owner may read (POSIX); an existing file is replaced. */
    static Path writeSecretFile(Path file, String secret) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.deleteIfExists(file);
            if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } else {
                Files.createFile(file);
            }
            Files.writeString(file, secret + System.lineSeparator(), StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the first admin's password to " + file.toAbsolutePath()
                    + " (delay.admin.first-admin.password-file); set delay.admin.first-admin.password instead", e);
        }
    }

    public List<View> list() {
        return store.listUsers().stream().map(View::of).toList();
    }

    public View create(String actor, String username, String password, AdminRole role) {
        if (username == null || !USERNAME.matcher(username).matches()) {
            throw AdminException.invalid("username", "1 to 64 characters of A-Z a-z 0-9 . _ @ -");
        }
        checkPassword(password);
        if (role == null) {
            throw AdminException.invalid("role", "one of ADMIN, OPERATOR, VIEWER");
        }
        long now = clock.now();
        AdminUser user = new AdminUser(username, encoder.encode(password), role, true, now, now, 0);
        if (!store.createUser(user)) {
            throw AdminException.conflict("User '" + username + "' already exists");
        }
        View view = View.of(user);
        audit.record(actor, "user.create", username, null, view);
        return view;
    }

    public View update(String actor, String username, String password, AdminRole role, Boolean enabled) {
        if (password != null) {
            checkPassword(password);
        }
        AdminUser current = store.findUser(username).orElseThrow(() -> AdminException.notFound("User", username));
        AdminRole nextRole = role == null ? current.role() : role;
        boolean nextEnabled = enabled == null ? current.enabled() : enabled;
        if (current.role() == AdminRole.ADMIN && current.enabled() && (nextRole != AdminRole.ADMIN || !nextEnabled)
                && enabledAdmins() <= 1) {
            throw AdminException.conflict("'" + username + "' is the last enabled ADMIN");
        }
        AdminUser next = new AdminUser(username, password == null ? current.passwordHash() : encoder.encode(password),
                nextRole, nextEnabled, current.createdAt(), current.updatedAt(), current.version()).touched(clock.now());
        if (!store.updateUser(next)) {
            throw AdminException.conflict("User '" + username + "' changed concurrently; try again");
        }
        View view = View.of(next);
        audit.record(actor, password == null ? "user.update" : "user.update+password", username, View.of(current), view);
        return view;
    }

    public void delete(String actor, String username) {
        AdminUser current = store.findUser(username).orElseThrow(() -> AdminException.notFound("User", username));
        if (current.role() == AdminRole.ADMIN && current.enabled() && enabledAdmins() <= 1) {
            throw AdminException.conflict("'" + username + "' is the last enabled ADMIN");
        }
        if (store.deleteUser(username)) {
            audit.record(actor, "user.delete", username, View.of(current), null);
        }
    }

    private long enabledAdmins() {
        return store.listUsers().stream().filter(u -> u.role() == AdminRole.ADMIN && u.enabled()).count();
    }

    private static void checkPassword(String password) {
        if (password == null || password.length() < MIN_PASSWORD
                || password.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_PASSWORD) {
            throw AdminException.invalid("password", "at least " + MIN_PASSWORD + " characters, at most "
                    + MAX_PASSWORD + " bytes");
        }
    }

    private static String randomPassword() {
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
