"""Dashboards with pictures: each role's figures over its own scope (the admin's mediation
organisation, the mediator's docket, the creditor's organisation), drawn as SVG charts
beside their numbers, each chart's numbers downloadable as CSV and XLSX."""
