"""The stored topic of every record and event class: explicit, frozen, and independent of where
the class lives.

A stored event names its class by a topic string (``stored_events.topic``), and a record's first
event names the record's class too (``originator_topic`` in its state). The Merkle leaf of every
event hashes its topic (ledger.merkle), so a topic, once stored, can never change: rewriting it
would be rewriting the log. Left to itself, eventsourcing makes the topic from where the class
is defined (``module:QualName``), and moving or renaming the class would make every stored event
of it unreadable.

So every topic is listed here, frozen, with where its class lives now. Each family module
registers its classes at import (``register_topics``): writing one stores its frozen topic,
reading the frozen topic finds the class, wherever it moved. The topics are the ``module:QualName``
strings the first version stored; they are names now, not locations.

* Add an event class: add a line ``"<its module:QualName>": "<the same>"``. A class missing here
  makes its module fail to import, naming the line to add.
* Rename or move a class: change its location (the value), never its topic (the key).
* Change what an event holds: ``class_version`` and an upcaster on the class (docs/events.md,
  "Versions and topics"). Never edit stored events.
"""

from __future__ import annotations

import importlib

from eventsourcing.domain import CanMutateAggregate
from eventsourcing.utils import TopicError, _type_cache, register_topic

# Frozen topic -> where the class lives now ("module:QualName"). Keys never change.
TOPICS: dict[str, str] = {
    "ledger.records:Index": "ledger.records:Index",
    "ledger.records:Index.Opened": "ledger.records:Index.Opened",
    "ledger.records:Index.Added": "ledger.records:Index.Added",
    "ledger.units:AdminUnit": "ledger.units:AdminUnit",
    "ledger.units:AdminUnit.Registered": "ledger.units:AdminUnit.Registered",
    "ledger.units:AdminUnit.Renamed": "ledger.units:AdminUnit.Renamed",
    "ledger.units:AdminUnit.MergedInto": "ledger.units:AdminUnit.MergedInto",
    "ledger.units:AdminUnit.Absorbed": "ledger.units:AdminUnit.Absorbed",
    "ledger.units:AdminUnit.Dissolved": "ledger.units:AdminUnit.Dissolved",
    "ledger.security_models:SecurityModel": "ledger.security_models:SecurityModel",
    "ledger.security_models:SecurityModel.Registered": (
        "ledger.security_models:SecurityModel.Registered"
    ),
    "ledger.security_models:SecurityModel.RecognisedEffective": (
        "ledger.security_models:SecurityModel.RecognisedEffective"
    ),
    "ledger.security_models:SecurityModel.Replicated": (
        "ledger.security_models:SecurityModel.Replicated"
    ),
    "ledger.security_models:SecurityModel.Reviewed": (
        "ledger.security_models:SecurityModel.Reviewed"
    ),
    "ledger.security_models:SecurityModel.Suspended": (
        "ledger.security_models:SecurityModel.Suspended"
    ),
    "ledger.security_models:SecurityModel.Reinstated": (
        "ledger.security_models:SecurityModel.Reinstated"
    ),
    "ledger.security_models:SecurityModel.Dissolved": (
        "ledger.security_models:SecurityModel.Dissolved"
    ),
    "ledger.awards:Commendation": "ledger.awards:Commendation",
    "ledger.awards:Commendation.Decided": "ledger.awards:Commendation.Decided",
    "ledger.awards:Commendation.Presented": "ledger.awards:Commendation.Presented",
    "ledger.awards:Commendation.LineCorrected": "ledger.awards:Commendation.LineCorrected",
    "ledger.awards:Commendation.Annulled": "ledger.awards:Commendation.Annulled",
    "ledger.safety:SafetyRecognition": "ledger.safety:SafetyRecognition",
    "ledger.safety:SafetyRecognition.Registered": "ledger.safety:SafetyRecognition.Registered",
    "ledger.safety:SafetyRecognition.Recognised": "ledger.safety:SafetyRecognition.Recognised",
    "ledger.safety:SafetyRecognition.Denied": "ledger.safety:SafetyRecognition.Denied",
    "ledger.safety:SafetyRecognition.Annulled": "ledger.safety:SafetyRecognition.Annulled",
    "ledger.disputes:MediationCase": "ledger.disputes:MediationCase",
    "ledger.disputes:MediationCase.Received": "ledger.disputes:MediationCase.Received",
    "ledger.disputes:MediationCase.Assigned": "ledger.disputes:MediationCase.Assigned",
    "ledger.disputes:MediationCase.Settled": "ledger.disputes:MediationCase.Settled",
    "ledger.disputes:MediationCase.Failed": "ledger.disputes:MediationCase.Failed",
    "ledger.disputes:MediationCase.Resumed": "ledger.disputes:MediationCase.Resumed",
    "ledger.disputes:MediationCase.Referred": "ledger.disputes:MediationCase.Referred",
    "ledger.disputes:MediationCase.Closed": "ledger.disputes:MediationCase.Closed",
    "ledger.people:PersonalData": "ledger.people:PersonalData",
    "ledger.people:PersonalData.Opened": "ledger.people:PersonalData.Opened",
    "ledger.people:PersonalData.Viewed": "ledger.people:PersonalData.Viewed",
    "ledger.people:PersonalData.Erased": "ledger.people:PersonalData.Erased",
    "ledger.programmes:CoordinationProgramme": "ledger.programmes:CoordinationProgramme",
    "ledger.programmes:CoordinationProgramme.Signed": (
        "ledger.programmes:CoordinationProgramme.Signed"
    ),
    "ledger.programmes:CoordinationProgramme.AliasAdded": (
        "ledger.programmes:CoordinationProgramme.AliasAdded"
    ),
    "ledger.programmes:CoordinationProgramme.Amended": (
        "ledger.programmes:CoordinationProgramme.Amended"
    ),
    "ledger.programmes:CoordinationProgramme.Ended": (
        "ledger.programmes:CoordinationProgramme.Ended"
    ),
    "ledger.statistics:ReportedStatistic": "ledger.statistics:ReportedStatistic",
    "ledger.statistics:ReportedStatistic.Reported": (
        "ledger.statistics:ReportedStatistic.Reported"
    ),
    "ledger.statistics:ReportedStatistic.Corrected": (
        "ledger.statistics:ReportedStatistic.Corrected"
    ),
    "ledger.statistics:ReportedStatistic.Withdrawn": (
        "ledger.statistics:ReportedStatistic.Withdrawn"
    ),
    "ledger.security_orgs:SecurityOrganisation": "ledger.security_orgs:SecurityOrganisation",
    "ledger.security_orgs:SecurityOrganisation.Established": (
        "ledger.security_orgs:SecurityOrganisation.Established"
    ),
    "ledger.security_orgs:SecurityOrganisation.Changed": (
        "ledger.security_orgs:SecurityOrganisation.Changed"
    ),
    "ledger.security_orgs:SecurityOrganisation.Disbanded": (
        "ledger.security_orgs:SecurityOrganisation.Disbanded"
    ),
    "ledger.classification:MovementClassification": (
        "ledger.classification:MovementClassification"
    ),
    "ledger.classification:MovementClassification.SelfAssessed": (
        "ledger.classification:MovementClassification.SelfAssessed"
    ),
    "ledger.classification:MovementClassification.Appraised": (
        "ledger.classification:MovementClassification.Appraised"
    ),
    "ledger.classification:MovementClassification.Decided": (
        "ledger.classification:MovementClassification.Decided"
    ),
    "ledger.classification:MovementClassification.Annulled": (
        "ledger.classification:MovementClassification.Annulled"
    ),
    "ledger.imports:ImportRun": "ledger.imports:ImportRun",
    "ledger.imports:ImportRun.Started": "ledger.imports:ImportRun.Started",
    "ledger.imports:ImportRun.BatchCommitted": "ledger.imports:ImportRun.BatchCommitted",
}


def location(cls: type) -> str:
    """Where a class lives: ``module:QualName``."""
    return f"{cls.__module__}:{cls.__qualname__}"


def own_event_classes(owner: type) -> list[type]:
    """The event classes a record class's body defines (not those the library derives from its
    bases' events, such as ``MediationCase.Created``, which are never stored)."""
    inherited = {name for base in owner.__mro__[1:] for name in vars(base)}
    return [
        value
        for name, value in vars(owner).items()
        if isinstance(value, type)
        and issubclass(value, CanMutateAggregate)
        and name not in inherited
    ]


def register_topics(*classes: type) -> None:
    """Give each class (and, for a record class, each event class its body defines) its frozen
    topic, for writing and for reading. Raises TopicError for a class not in ``TOPICS``, or a
    topic already given to another class."""
    topic_at = {where: topic for topic, where in TOPICS.items()}
    for cls in classes:
        for each in (cls, *own_event_classes(cls)):
            topic = topic_at.get(location(each))
            if topic is None:
                raise TopicError(
                    f"{location(each)} has no explicit topic: add "
                    f'"{location(each)}": "{location(each)}" to TOPICS in ledger/topics.py '
                    "(a class's topic is frozen once events of it are stored)"
                )
            register_topic(topic, each)  # reading the topic finds the class
            _type_cache[each] = topic  # writing the class stores the topic


def install() -> None:
    """Make every frozen topic readable before any event is: import the classes that moved
    away from the location their topic spells (the others are found by importing the module
    their topic names, whose ``register_topics`` call registers them)."""
    for topic, where in TOPICS.items():
        if topic != where:
            importlib.import_module(where.partition(":")[0])
