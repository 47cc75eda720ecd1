package io.hourglass.admin.web;

import io.hourglass.admin.AdminUserService;
import io.hourglass.core.model.AdminRole;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.net.URI;
import java.security.Principal;
import java.util.List;

/** {@code /admin/api/v1/users}: admin users (ADMIN only). */
@RestController
@RequestMapping("/admin/api/v1/users")
public class UsersController {

    public record CreateUser(String username, String password, AdminRole role) {
    }

    public record UpdateUser(String password, AdminRole role, Boolean enabled) {
    }

    private final AdminUserService users;

    public UsersController(AdminUserService users) {
        this.users = users;
    }

    @GetMapping
    public List<AdminUserService.View> list() {
        return users.list();
    }

    @PostMapping
    public ResponseEntity<AdminUserService.View> create(@RequestBody CreateUser body, Principal who) {
        AdminUserService.View view = users.create(who.getName(), body.username(), body.password(), body.role());
        return ResponseEntity.created(URI.create("/admin/api/v1/users/" + view.username())).body(view);
    }

    @PatchMapping("/{username}")
    public AdminUserService.View update(@PathVariable String username, @RequestBody UpdateUser body, Principal who) {
        return users.update(who.getName(), username, body.password(), body.role(), body.enabled());
    }

    @DeleteMapping("/{username}")
    public ResponseEntity<Void> delete(@PathVariable String username, Principal who) {
        users.delete(who.getName(), username);
        return ResponseEntity.noContent().build();
    }
}
