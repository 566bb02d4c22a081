using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrentFutures.Analyzers;

/// <summary>
/// Reports, at compile time, delegates given to <c>ProcessPoolExecutor</c>, <c>ClusterExecutor</c>, <c>Pool</c> or
/// <c>Process</c> that cannot be sent to another process: a lambda capturing a variable (or <c>this</c>) whose type
/// cannot be copied, or an instance method group whose target cannot. The same rules the runtime applies at Submit.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class SendToProcessAnalyzer : DiagnosticAnalyzer
{
    private const string Category = "ConcurrentFutures.Sending";
    private const string HelpLink = "https://github.com/concurrentfutures/concurrentfutures#what-can-be-sent";

    private static readonly DiagnosticDescriptor UnsendableCapture = new(
        DiagnosticIds.UnsendableCapture,
        "A captured variable cannot be sent to another process",
        "The lambda given to {0} captures '{1}', which cannot be sent to another process: {2}",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Work sent to a worker process or silo is copied there with its captured variables. Pass the data (strings, numbers, arrays, records) as arguments instead.",
        helpLinkUri: HelpLink);

    private static readonly DiagnosticDescriptor UnsendableThis = new(
        DiagnosticIds.UnsendableThis,
        "The lambda uses 'this', which cannot be sent to another process",
        "The lambda given to {0} uses 'this' ({1}), which cannot be sent to another process: {2}",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A lambda that uses an instance member captures the whole object. Make the lambda static, or copy the values it needs into locals of sendable types.",
        helpLinkUri: HelpLink);

    private static readonly DiagnosticDescriptor UnsendableMethodTarget = new(
        DiagnosticIds.UnsendableMethodTarget,
        "The method's target cannot be sent to another process",
        "The method {1} given to {0} is an instance method of an object that cannot be sent to another process: {2}",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "An instance method group is sent together with its target object. Use a static method, or a sendable target.",
        helpLinkUri: HelpLink);

    private static readonly DiagnosticDescriptor UnsendableValue = new(
        DiagnosticIds.UnsendableValue,
        "A value cannot be sent to another process",
        "The value given as '{1}' to {0} cannot be sent to another process: {2}",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Arguments, Map sources' items, queue items and pipe messages are copied to the other process; their type must be copyable there. The call would throw ArgumentException.",
        helpLinkUri: HelpLink);

    private static readonly DiagnosticDescriptor UnsendableResult = new(
        DiagnosticIds.UnsendableResult,
        "The work's result cannot be sent back from another process",
        "The work given to {0} returns {1}, which cannot be sent back from another process: {2}",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "The result of work run in another process is copied back; its type must be copyable. Return the data instead.",
        helpLinkUri: HelpLink);

    private static readonly DiagnosticDescriptor AsyncWorkNeedsSubmitAsync = new(
        DiagnosticIds.AsyncWorkNeedsSubmitAsync,
        "Async work must be given to SubmitAsync",
        "The work given to {0} returns {1}; in another process a task cannot be sent back, use SubmitAsync, which runs it to completion there and delivers its result",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Submit and Map of a process pool or cluster refuse work that returns a Task or ValueTask with ArgumentException.",
        helpLinkUri: HelpLink);

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(UnsendableCapture, UnsendableThis, UnsendableMethodTarget, UnsendableValue, UnsendableResult, AsyncWorkNeedsSubmitAsync);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            SendingTargets? targets = SendingTargets.Find(start.Compilation);
            if (targets is null)
            {
                return; // ConcurrentFutures is not referenced
            }

            var rules = new SendabilityRules(start.Compilation);
            var gate = new object();
            start.RegisterOperationAction(
                operation =>
                {
                    var invocation = (IInvocationOperation)operation.Operation;
                    string callee = $"{(invocation.Instance?.Type ?? invocation.TargetMethod.ContainingType).Name}.{invocation.TargetMethod.Name}";
                    if (targets.SendsToAnotherProcess(invocation.TargetMethod, invocation.Instance?.Type))
                    {
                        AnalyzeArguments(operation, invocation.Arguments, callee, rules, gate, SendingTargets.RunsSynchronously(invocation.TargetMethod));
                    }
                    else if (targets.SendsItem(invocation.TargetMethod, invocation.Instance?.Type))
                    {
                        AnalyzeArguments(operation, invocation.Arguments, callee, rules, gate, runsSynchronously: false);
                    }
                },
                OperationKind.Invocation);
            start.RegisterOperationAction(
                operation =>
                {
                    var creation = (IObjectCreationOperation)operation.Operation;
                    if (creation.Constructor is { } constructor && targets.SendsToAnotherProcess(constructor, constructor.ContainingType))
                    {
                        AnalyzeArguments(operation, creation.Arguments, $"new {constructor.ContainingType.Name}", rules, gate, runsSynchronously: false);
                    }
                },
                OperationKind.ObjectCreation);
        });
    }

    private static void AnalyzeArguments(OperationAnalysisContext context, ImmutableArray<IArgumentOperation> arguments, string callee, SendabilityRules rules, object gate, bool runsSynchronously)
    {
        foreach (IArgumentOperation argument in arguments)
        {
            if (argument.Parameter?.Type.TypeKind != TypeKind.Delegate && argument.Parameter?.Type.SpecialType != SpecialType.System_Delegate
                && argument.Parameter?.Type.ToDisplayString() != "System.Delegate")
            {
                AnalyzeValue(context, argument, callee, rules, gate);
                continue;
            }

            AnalyzeResult(context, argument, callee, rules, gate, runsSynchronously);
            switch (Unwrap(argument.Value))
            {
                case IAnonymousFunctionOperation lambda:
                    AnalyzeLambda(context, lambda, callee, rules, gate);
                    break;
                case IMethodReferenceOperation { Instance: { } target } method:
                    string? reason;
                    lock (gate)
                    {
                        reason = target.Type is null ? null : rules.Check(target.Type);
                    }

                    if (reason is not null)
                    {
                        context.ReportDiagnostic(Diagnostic.Create(UnsendableMethodTarget, argument.Value.Syntax.GetLocation(), callee, method.Method.Name, reason));
                    }

                    break;
            }
        }
    }

    /// <summary>The static types of the values a sending call copies: arguments, a params array's items, a source's items, a queue item or pipe message.</summary>
    private static void AnalyzeValue(OperationAnalysisContext context, IArgumentOperation argument, string callee, SendabilityRules rules, object gate)
    {
        var values = new List<(ITypeSymbol Type, IOperation At)>();
        switch (SendingTargets.HowSent(argument.Parameter))
        {
            case SendingTargets.Sent.Value when argument.ArgumentKind == ArgumentKind.ParamArray && argument.Value is IArrayCreationOperation { Initializer: { } items }:
                values.AddRange(items.ElementValues.Select(item => (Unwrap(item).Type, (IOperation)item)).Where(v => v.Type is not null).Select(v => (v.Type!, v.Item2)));
                break;
            case SendingTargets.Sent.Value when Unwrap(argument.Value).Type is { } type:
                values.Add((type, argument.Value));
                break;
            case SendingTargets.Sent.Items when argument.Parameter!.Type is INamedTypeSymbol { TypeArguments.Length: 1 } sequence:
                values.Add((sequence.TypeArguments[0], argument.Value));
                break;
        }

        foreach ((ITypeSymbol type, IOperation at) in values)
        {
            string? reason;
            lock (gate)
            {
                reason = rules.Check(type);
            }

            if (reason is not null)
            {
                context.ReportDiagnostic(Diagnostic.Create(UnsendableValue, at.Syntax.GetLocation(), callee, argument.Parameter!.Name, reason));
            }
        }
    }

    /// <summary>The work's return type: refused if it cannot be copied back, or if it is a task given to Submit/Map.</summary>
    private static void AnalyzeResult(OperationAnalysisContext context, IArgumentOperation argument, string callee, SendabilityRules rules, object gate, bool runsSynchronously)
    {
        ITypeSymbol? returned = Unwrap(argument.Value) switch
        {
            IAnonymousFunctionOperation lambda => lambda.Symbol.ReturnType,
            IMethodReferenceOperation method => method.Method.ReturnType,
            _ => null,
        };
        if (returned is null || returned.SpecialType == SpecialType.System_Void)
        {
            return;
        }

        if (SendabilityRules.IsAwaitable(returned))
        {
            if (runsSynchronously)
            {
                context.ReportDiagnostic(Diagnostic.Create(AsyncWorkNeedsSubmitAsync, argument.Value.Syntax.GetLocation(), callee, returned.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)));
                return;
            }

            if (returned is not INamedTypeSymbol { TypeArguments.Length: 1 } task)
            {
                return;
            }

            returned = task.TypeArguments[0];
        }

        string? reason;
        lock (gate)
        {
            reason = rules.Check(returned);
        }

        if (reason is not null)
        {
            context.ReportDiagnostic(Diagnostic.Create(UnsendableResult, argument.Value.Syntax.GetLocation(), callee, returned.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat), reason));
        }
    }

    private static void AnalyzeLambda(OperationAnalysisContext context, IAnonymousFunctionOperation lambda, string callee, SendabilityRules rules, object gate)
    {
        if (lambda.Symbol.IsStatic)
        {
            return;
        }

        SemanticModel? model = lambda.SemanticModel;
        DataFlowAnalysis? flow = model?.AnalyzeDataFlow(lambda.Syntax);
        if (flow is null || !flow.Succeeded)
        {
            return;
        }

        foreach (ISymbol captured in flow.CapturedInside.Except(flow.VariablesDeclared, SymbolEqualityComparer.Default).Distinct(SymbolEqualityComparer.Default))
        {
            (ITypeSymbol? type, bool isRef, bool isThis) = captured switch
            {
                ILocalSymbol local => (local.Type, local.IsRef, false),
                IParameterSymbol { IsThis: true } self => (self.Type, false, true),
                IParameterSymbol parameter => (parameter.Type, parameter.RefKind != RefKind.None, false),
                _ => (null, false, false),
            };
            if (type is null)
            {
                continue;
            }

            Location location = FirstUse(lambda, captured) ?? lambda.Syntax.GetLocation();
            if (isRef || type.IsRefLikeType)
            {
                continue; // C# refuses these captures itself (CS1628, CS8175, CS9108)
            }

            string? reason;
            lock (gate)
            {
                reason = rules.Check(type);
            }

            if (reason is null)
            {
                continue;
            }

            context.ReportDiagnostic(isThis
                ? Diagnostic.Create(UnsendableThis, location, callee, type.Name, reason)
                : Diagnostic.Create(UnsendableCapture, location, callee, captured.Name, reason));
        }
    }

    /// <summary>Where the lambda first uses the captured symbol (for <c>this</c>: an implicit or explicit instance access).</summary>
    private static Location? FirstUse(IAnonymousFunctionOperation lambda, ISymbol captured)
    {
        foreach (IOperation operation in lambda.Body.Descendants())
        {
            bool uses = operation switch
            {
                ILocalReferenceOperation local => SymbolEqualityComparer.Default.Equals(local.Local, captured),
                IParameterReferenceOperation parameter => SymbolEqualityComparer.Default.Equals(parameter.Parameter, captured),
                IInstanceReferenceOperation => captured is IParameterSymbol { IsThis: true },
                _ => false,
            };
            if (uses)
            {
                return operation.Syntax.GetLocation();
            }
        }

        return null;
    }

    private static IOperation Unwrap(IOperation operation)
    {
        while (true)
        {
            switch (operation)
            {
                case IConversionOperation conversion:
                    operation = conversion.Operand;
                    break;
                case IDelegateCreationOperation creation:
                    operation = creation.Target;
                    break;
                case IParenthesizedOperation parenthesized:
                    operation = parenthesized.Operand;
                    break;
                default:
                    return operation;
            }
        }
    }
}
