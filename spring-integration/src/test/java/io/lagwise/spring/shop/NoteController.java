package io.lagwise.spring.shop;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** POST /notes creates a note, POST /notes/{id} changes it, GET reads it (JPA, or JDBC with ?via=jdbc). */
@RestController
public class NoteController {

    private final NoteService service;

    NoteController(NoteService service) {
        this.service = service;
    }

    @PostMapping("/notes")
    public String create(@RequestBody String text) {
        return Long.toString(service.create(text));
    }

    @PostMapping("/notes/{id}")
    public ResponseEntity<String> update(@PathVariable long id, @RequestBody String text) {
        return service.update(id, text) ? ResponseEntity.ok("ok") : ResponseEntity.notFound().build();
    }

    /** The same update, run by Spring MVC as an asynchronous Callable. */
    @PostMapping("/notes/{id}/async")
    public java.util.concurrent.Callable<ResponseEntity<String>> updateAsync(@PathVariable long id,
            @RequestBody String text) {
        return () -> update(id, text);
    }

    /** Updates, then fails: the update is committed, the response is an error. */
    @PostMapping("/notes/{id}/then-fail")
    public String updateThenFail(@PathVariable long id, @RequestBody String text) {
        service.update(id, text);
        throw new IllegalStateException("failed after the update");
    }

    @GetMapping("/notes/{id}")
    public ResponseEntity<String> read(@PathVariable long id, @RequestParam(defaultValue = "jpa") String via) {
        return ("jdbc".equals(via) ? service.readWithJdbc(id) : service.read(id))
                .map(ResponseEntity::ok).orElseGet(() -> ResponseEntity.notFound().build());
    }
}
