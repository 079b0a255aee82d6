"""Starter texts written for AIMS (policy and SOP templates, glossary): our own wording, no text of the
standard. Practitioners adapt them; they are not meant to be adopted unchanged."""
