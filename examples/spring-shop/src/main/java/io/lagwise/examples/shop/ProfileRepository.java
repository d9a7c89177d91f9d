package io.lagwise.examples.shop;

import org.springframework.data.jpa.repository.JpaRepository;

/** Spring Data JPA: its reads run in read-only transactions (replicas), its saves read-write (the master). */
public interface ProfileRepository extends JpaRepository<Profile, String> {
}
