package io.lagwise.spring.shop;

import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;
import org.springframework.transaction.annotation.Transactional;

/** Spring Data's own transactions: reads read-only (to a replica), saves read-write (to the master). */
public interface NoteRepository extends JpaRepository<Note, Long> {

    /** The server a read-only repository query runs on. */
    @Transactional(readOnly = true)
    @Query(value = "SELECT @@server_id", nativeQuery = true)
    int serverId();

    /** The same, asking for the master's newest data, annotated on the repository interface. */
    @io.lagwise.spring.ReadConsistency(io.lagwise.core.Consistency.STRONG)
    @Transactional(readOnly = true)
    @Query(value = "SELECT @@server_id", nativeQuery = true)
    int strongServerId();
}
