package io.lagwise.examples.shop;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /profiles/{user}} saves a display name; {@code GET /profiles/{user}} reads it (from a
 * replica, never older than the caller's own save); {@code GET /profiles/{user}/strong} reads the
 * master's newest; {@code GET /read-server} says where reads go now.
 */
@RestController
public class ProfileController {

    private final ProfileService service;

    ProfileController(ProfileService service) {
        this.service = service;
    }

    @PostMapping("/profiles/{user}")
    public String save(@PathVariable String user, @RequestBody String displayName) {
        service.save(user, displayName);
        return "saved";
    }

    @GetMapping("/profiles/{user}")
    public ResponseEntity<String> read(@PathVariable String user) {
        return service.displayName(user).map(ResponseEntity::ok).orElseGet(() -> ResponseEntity.notFound().build());
    }

    @GetMapping("/profiles/{user}/strong")
    public ResponseEntity<String> readStrong(@PathVariable String user) {
        return service.displayNameStrong(user).map(ResponseEntity::ok).orElseGet(() -> ResponseEntity.notFound().build());
    }

    @GetMapping("/read-server")
    public String readServer() {
        return service.readServer();
    }
}
