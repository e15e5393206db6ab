"""Staff sign in with a second factor: a TOTP application, or one of ten recovery codes.

`services` holds the verbs (the pending sign-in after the password, enrolment, code checks, the
superuser's reset), `sites` the admin site that lets in only staff who gave their second factor,
`views` the two pages between ACCÉDER and the back office. docs/accounts.md tells the story.
"""
