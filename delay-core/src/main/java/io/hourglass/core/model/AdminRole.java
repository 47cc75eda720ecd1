package io.hourglass.core.model;

/** What an admin user may do in the admin API and console. */
public enum AdminRole {
    /** Everything, including admin users and app secrets. */
    ADMIN,
    /** Message and app actions; never sees or rotates secrets, never manages admin users. */
    OPERATOR,
    /** Reads only. */
    VIEWER
}
