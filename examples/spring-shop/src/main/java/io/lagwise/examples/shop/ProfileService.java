package io.lagwise.examples.shop;

import io.lagwise.core.Consistency;
import io.lagwise.spring.ReadConsistency;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Plain Spring: JPA writes and reads, a JdbcTemplate read, one method that asks for STRONG reads. */
@Service
public class ProfileService {

    private final ProfileRepository profiles;
    private final JdbcTemplate jdbc;

    ProfileService(ProfileRepository profiles, JdbcTemplate jdbc) {
        this.profiles = profiles;
        this.jdbc = jdbc;
    }

    /** A read-write transaction: the master. */
    @Transactional
    public void save(String username, String displayName) {
        profiles.findById(username).ifPresentOrElse(p -> p.setDisplayName(displayName),
                () -> profiles.save(new Profile(username, displayName)));
    }

    /** Spring Data's read-only transaction: a replica that has this user's last write. */
    public Optional<String> displayName(String username) {
        return profiles.findById(username).map(Profile::getDisplayName);
    }

    /** The master's newest data, whatever the session wrote: for the few reads that need it. */
    @ReadConsistency(Consistency.STRONG)
    @Transactional(readOnly = true)
    public Optional<String> displayNameStrong(String username) {
        return profiles.findById(username).map(Profile::getDisplayName);
    }

    /** Which server a read-only transaction runs on now. */
    @Transactional(readOnly = true)
    public String readServer() {
        return jdbc.queryForObject("SELECT CONCAT(@@hostname, ':', @@port, ' server_id=', @@server_id)", String.class);
    }
}
