package io.lagwise.spring.shop;

import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Writes with JPA; reads with JPA (the repository) or JdbcTemplate. */
@Service
public class NoteService {

    private final NoteRepository notes;
    private final JdbcTemplate jdbc;

    NoteService(NoteRepository notes, JdbcTemplate jdbc) {
        this.notes = notes;
        this.jdbc = jdbc;
    }

    @Transactional
    public long create(String text) {
        return notes.save(new Note(text)).getId();
    }

    @Transactional
    public boolean update(long id, String text) {
        Optional<Note> note = notes.findById(id);
        note.ifPresent(n -> n.setText(text));
        return note.isPresent();
    }

    /** JPA, in Spring Data's read-only transaction. */
    public Optional<String> read(long id) {
        return notes.findById(id).map(Note::getText);
    }

    /** JdbcTemplate in a read-only transaction. */
    @Transactional(readOnly = true)
    public Optional<String> readWithJdbc(long id) {
        return jdbc.query("SELECT text FROM shop_note WHERE id = ?", rs -> rs.next() ? Optional.of(rs.getString(1))
                : Optional.<String>empty(), id);
    }

    @Transactional(readOnly = true)
    public int readOnlyServerId() {
        return jdbc.queryForObject("SELECT @@server_id", Integer.class);
    }

    @Transactional
    public int readWriteServerId() {
        return jdbc.queryForObject("SELECT @@server_id", Integer.class);
    }

    /** Auto-commit JdbcTemplate read, outside any transaction. */
    public int autoCommitServerId() {
        return jdbc.queryForObject("SELECT @@server_id", Integer.class);
    }
}
