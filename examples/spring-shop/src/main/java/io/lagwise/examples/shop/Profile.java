package io.lagwise.examples.shop;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A user's profile: what they see change the moment they save it. */
@Entity
@Table(name = "shop_profile")
public class Profile {

    @Id
    private String username;

    private String displayName;

    protected Profile() {}

    Profile(String username, String displayName) {
        this.username = username;
        this.displayName = displayName;
    }

    public String getUsername() {
        return username;
    }

    public String getDisplayName() {
        return displayName;
    }

    public void setDisplayName(String displayName) {
        this.displayName = displayName;
    }
}
